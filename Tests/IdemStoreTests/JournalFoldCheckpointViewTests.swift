import Testing
import Foundation
@testable import IdemCore
@testable import IdemStore

/// The fold checkpoint (version 4) read in place, as `stats` reads it: the tokens by status from its columns and a
/// tail folded onto the records it touches give what a whole read gives, and a checkpoint whose columns, counts
/// or index do not hold together is discarded even when its checksums match.
@Suite struct JournalFoldCheckpointViewTests {
    let t: JournalFoldCheckpointTests

    init() throws { t = try JournalFoldCheckpointTests() }

    /// Instants around the fixture's events (t0 ..< t0 + 300 s, 24 h retention, 60 s lock): in progress, stuck,
    /// completed, expired.
    let instants: [Instant] = [J.t0 - .seconds(1), J.t0 + .seconds(30), J.t0 + .seconds(200), J.t0 + .minutes(10),
                               J.t0 + .hours(24) + .seconds(100), J.t0 + .hours(48)]

    /// The checkpoint's view with the journal's lines after it folded on (those at or before `until` only).
    func viewFold(until: Instant? = nil) throws -> ImageTailFold {
        let opened = try #require(try JournalFoldCheckpoint.open(journal: t.journal, policy: .standard, folder: t.folder))
        var fold = ImageTailFold(try opened.view())
        let r = try JournalReader(path: t.journal, indexTokens: false)
        r.resume(at: opened.covered, lines: opened.lines)
        let (events, bad) = try J.drain(r)
        for e in events where until.map({ e.at <= $0 }) ?? true { try fold.apply(e) }
        bad.forEach { fold.noteMalformed($0) }
        return fold
    }

    func expectSameSummary(_ fold: ImageTailFold, _ cold: Ledger) throws {
        for now in instants {
            var want: [TokenStatus: Int] = [:]
            for r in cold.records { want[r.status(at: now), default: 0] += 1 }
            #expect(try fold.statuses(at: now) == want, "at \(now.rfc3339)")
        }
        #expect(fold.tokens == cold.count)
        #expect(fold.ledger.counts == cold.counts && fold.ledger.lastEventAt == cold.lastEventAt)
        #expect(fold.ledger.tenants.strings == cold.tenants.strings)
        #expect(fold.ledger.operations.strings == cold.operations.strings)
        #expect(fold.ledger.malformedCount == cold.malformedCount && fold.ledger.malformed == cold.malformed)
        #expect(fold.ledger.storeCount == cold.storeCount)
    }

    @Test func theColumnsGiveTheFoldsStatusesAtAnyInstant() throws {
        try t.write()
        let fold = try viewFold()
        #expect(fold.touchedCount == 0)
        let (cold, _) = try t.fold()
        try expectSameSummary(fold, cold)
        // Every status the fixture can reach is reached at one of the instants.
        let seen = Set(try instants.flatMap { try fold.statuses(at: $0).keys })
        #expect(seen.isSuperset(of: [.inProgress, .stuck, .completed, .expired]), "\(seen)")
    }

    @Test func theStoredIndexFindsEveryRecordAndTheRecordsDecodeAsFolded() throws {
        try t.write()
        let opened = try #require(try JournalFoldCheckpoint.open(journal: t.journal, policy: .standard, folder: t.folder))
        let view = try opened.view()
        let (cold, _) = try t.fold()
        #expect(view.count == cold.count)
        for (p, r) in cold.records.enumerated() {
            #expect(try view.find(tenant: r.tenantID, store: r.store, token: r.token) == p)
            #expect(try view.record(p) == r)
            #expect(try view.status(of: p, at: J.t0 + .seconds(30)) == r.status(at: J.t0 + .seconds(30)))
        }
        #expect(try view.find(tenant: 0, store: 0, token: "no-such-token") == nil)
        #expect(try view.find(tenant: 0, store: 1, token: cold.records[0].token) == nil)
        #expect(try view.find(tenant: 99, store: 0, token: cold.records[0].token) == nil)
    }

    @Test func aTailFoldedOntoTheViewGivesTheWholeReadsSummary() throws {
        try t.write()
        var purge = StoreEvent(kind: .purge, at: J.t0 + .seconds(400), tenant: "a", token: "t4")
        purge.actor = "ops@host"
        purge.reason = "test"
        purge.sawStatus = .completed
        purge.sawVersion = 2
        let tail = [J.request("t1", .conflict, tenant: "a", at: J.t0 + .seconds(301)),
                    J.request("fresh", tenant: "c", at: J.t0 + .seconds(302)),
                    J.completed("fresh", tenant: "c", at: J.t0 + .seconds(303)),
                    J.request("t7", .reexecuted, tenant: "a", at: J.t0 + .hours(25)),
                    J.request("t9", .mismatch, tenant: "a", at: J.t0 + .seconds(304)),
                    purge,
                    J.request("t3", .replayed, tenant: "b", at: J.t0 + .seconds(305)),
                    J.request("t1", .replayed, tenant: "a", at: J.t0 + .seconds(306))]
        try J.append(tail.map(J.line).joined(separator: "\n") + "\n{bad\n" + J.line(J.request("late", at: J.t0 + .hours(30)))
                     + "\n" + String(J.line(J.request("t2")).dropLast()), to: t.journal)
        let fold = try viewFold()
        let (cold, _) = try t.fold()
        #expect(fold.touchedCount > 0 && fold.touchedCount < cold.count)
        try expectSameSummary(fold, cold)

        // Only the lines at or before an instant: the same as a whole read cut there.
        let cut = J.t0 + .seconds(304)
        let partial = try viewFold(until: cut)
        let r = try JournalReader(path: t.journal, indexTokens: false)
        let (events, bad) = try J.drain(r)
        var upTo = Ledger()
        for e in events where e.at <= cut { upTo.apply(e) }
        bad.forEach { upTo.noteMalformed($0) }
        try expectSameSummary(partial, upTo)
    }

    @Test func aFlippedByteInARecordIsFoundWhenTheTailReachesItAndTheCheckpointDeleted() throws {
        // Small chunks: the columns and the meta check out, the flipped record's chunk only when it is read.
        let chunk = 256
        try t.write(chunkSize: chunk)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: t.checkpoint)))
        let body = Array(bytes[JournalFoldCheckpoint.headerSize...])
        let (p, l) = try layout(body)
        let victim = Int(p[1]) / 2
        try t.flip(t.checkpoint, at: JournalFoldCheckpoint.headerSize + l.records + victim * LedgerImage.recordSize + 40)
        let opened = try #require(try JournalFoldCheckpoint.open(journal: t.journal, policy: .standard, folder: t.folder))
        let view = try opened.view()
        #expect(try view.statusCounts(at: J.t0).reduce(0, +) == view.count)
        do {
            _ = try view.record(victim)
            Issue.record("a flipped record was trusted")
        } catch {
            #expect("\(error)".contains("corrupt"), "\(error)")
        }
        #expect(!FileManager.default.fileExists(atPath: t.checkpoint))
    }

    @Test func aVersion3CheckpointIsDiscarded() throws {
        try t.write()
        try reseal { header, _, version in version = 3; _ = header }
        do {
            _ = try JournalFoldCheckpoint.open(journal: t.journal, policy: .standard, folder: t.folder)
            Issue.record("a version-3 checkpoint was trusted")
        } catch {
            #expect("\(error)".contains("another version"), "\(error)")
        }
        #expect(!FileManager.default.fileExists(atPath: t.checkpoint))
    }

    /// Rewrites the checkpoint after `change` (its header fields, its body, its version byte), with every checksum
    /// made anew: what is left to catch a wrong count or a cut column is the image's own consistency.
    func reseal(_ change: (inout [UInt64], inout [UInt8], inout UInt8) throws -> Void) throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: t.checkpoint)))
        let h = JournalFoldCheckpoint.headerSize
        func u64(_ at: Int) -> UInt64 { bytes[at..<(at + 8)].reversed().reduce(0) { $0 << 8 | UInt64($1) } }
        var v = (0..<10).map { u64(8 + 8 * $0) }
        var body = Array(bytes[h..<(h + Int(v[9]))])
        var version = bytes[7]
        try change(&v, &body, &version)
        v[9] = UInt64(body.count)
        func le(_ x: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: x >> (8 * $0)) } }
        var out = Array(bytes[0..<7]) + [version]
        for x in v { out += le(x) }
        let headerSum = out.withUnsafeBytes { CacheFolder.checksum($0) }
        out += le(headerSum)
        out += body
        let chunk = Int(v[8])
        var sums: [UInt8] = []
        body.withUnsafeBytes { b in
            for k in 0..<((body.count + chunk - 1) / chunk) {
                let part = UnsafeRawBufferPointer(rebasing: b[(k * chunk)..<min(body.count, (k + 1) * chunk)])
                sums += le(CacheFolder.chunkChecksum(part, index: k, key: headerSum))
            }
        }
        out += sums + le(sums.withUnsafeBytes { CacheFolder.checksum($0, seed: headerSum) })
        try Data(out).write(to: URL(fileURLWithPath: t.checkpoint))
    }

    /// The image's prefix and layout in a checkpoint body.
    func layout(_ body: [UInt8]) throws -> ([UInt64], LedgerImage.Layout) {
        let p = (0..<8).map { k in body[(8 * k)..<(8 * k + 8)].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
        let l = try #require(LedgerImage.Layout(metaLength: p[0], records: p[1], tokenBytes: p[2], textBytes: p[3],
                                                events: p[4], indexSlots: p[5]))
        return (p, l)
    }

    func setU64(_ body: inout [UInt8], at: Int, _ x: UInt64) {
        for k in 0..<8 { body[at + k] = UInt8(truncatingIfNeeded: x >> (8 * k)) }
    }

    /// Checks that a checkpoint changed by `change` (and resealed) is refused by the whole read (which deletes it)
    /// when `whole`, and by the view's reads (the summary, every record, a few lookups) when `view`.
    func refuse(_ what: String, whole: Bool = true, view: Bool = true,
                _ change: (inout [UInt8]) throws -> Void) throws {
        if whole {
            try t.write()
            try reseal { _, body, _ in try change(&body) }
            do {
                _ = try JournalFoldCheckpoint.read(journal: t.journal, policy: .standard, folder: t.folder)
                Issue.record("the whole read trusted \(what)")
            } catch {
                #expect("\(error)".contains("corrupt"), "\(what): \(error)")
            }
            #expect(!FileManager.default.fileExists(atPath: t.checkpoint), "\(what)")
        }
        if view {
            try t.write()
            try reseal { _, body, _ in try change(&body) }
            do {
                let opened = try #require(try JournalFoldCheckpoint.open(journal: t.journal, policy: .standard,
                                                                          folder: t.folder))
                let v = try opened.view()
                _ = try v.statusCounts(at: J.t0)
                for p in 0..<v.count { _ = try v.record(p) }
                for tenant in Int32(0)..<2 { for k in 0..<120 { _ = try v.find(tenant: tenant, store: 0, token: "t\(k)") } }
                Issue.record("the view trusted \(what)")
            } catch {
                #expect(error is LedgerImage.Invalid || "\(error)".contains("corrupt"), "\(what): \(error)")
            }
        }
    }

    @Test func aWrongCountOrACutColumnIsDiscardedThoughItsChecksumsMatch() throws {
        // Resealing without a change leaves a checkpoint both readers trust.
        try t.write()
        try reseal { _, _, _ in }
        let opened = try #require(try JournalFoldCheckpoint.open(journal: t.journal, policy: .standard, folder: t.folder))
        let (cold, _) = try t.fold()
        #expect(try opened.ledger().records == cold.records)
        #expect(try opened.view().statusCounts(at: J.t0).reduce(0, +) == cold.count)

        try refuse("one record more in the prefix") { body in
            let (p, _) = try layout(body)
            setU64(&body, at: 8, p[1] + 1)
        }
        try refuse("one event fewer in the prefix") { body in
            let (p, _) = try layout(body)
            setU64(&body, at: 32, p[4] - 1)
        }
        try refuse("the index cut short by a slot") { body in
            body.removeLast(8)
        }
        try refuse("the index one slot shorter, the prefix saying so") { body in
            let (p, _) = try layout(body)
            setU64(&body, at: 40, p[5] - 1)
            body.removeLast(8)
        }
        try refuse("the stored-status column cut short, the index moved up") { body in
            let (_, l) = try layout(body)
            body.removeSubrange(l.stored..<(l.stored + 8))
        }
        // The whole read checks the columns against the records it decodes.
        try refuse("a stored status out of range in the column") { body in
            let (_, l) = try layout(body)
            body[l.stored + 2] = 9
        }
        // The view probes the slots a lookup reaches, not every one: only the whole read checks them all.
        try refuse("an index slot past the records", view: false) { body in
            let (p, l) = try layout(body)
            for k in 0..<Int(p[5]) where body[l.index + 8 * k] != 0 {
                body[l.index + 8 * k] = 0xFF
                body[l.index + 8 * k + 1] = 0xFF
                break
            }
        }
    }
}
