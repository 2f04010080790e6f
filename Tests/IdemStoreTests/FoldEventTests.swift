import Foundation
import Testing
import IdemCore
@testable import IdemStore

/// A read that only folds decodes lines into `FoldEvent`s (no strings) instead of `StoreEvent`s: the ledger it folds
/// must be the one the `StoreEvent`s fold, whatever the lines hold, wherever the parts are cut, and the reader must
/// go on reading `StoreEvent`s afterwards as if it had read them all along.
@Suite struct FoldEventTests {
    static let t0 = J.t0

    /// Lines of every kind and outcome, with strings spelt with escapes and without, fingerprints that do not pack,
    /// absent and null fields, and lines that are not events.
    static func lines() -> [String] {
        var out: [String] = []
        func at(_ k: Int) -> String { (t0 + .seconds(Int64(k))).rfc3339 }
        for i in 0..<400 {
            let token = "tok-\(i % 97)"
            // A tenant only the last lines name: a fold up to an earlier instant must not know it.
            let tenant = i >= 390 ? "late" : i % 3 == 0 ? "café" : "acme"
            switch i % 13 {
            case 0: out.append(J.line(J.request(token, tenant: tenant, at: t0 + .seconds(Int64(i)))))
            case 1: out.append(J.line(J.completed(token, status: 200 + i % 5, tenant: tenant, at: t0 + .seconds(Int64(i)))))
            case 2:
                // The same tenant and token through \u escapes: the same record as the plain spelling.
                let escaped = token.replacingOccurrences(of: "t", with: "\\u0074")
                let t = tenant == "café" ? "caf\\u00e9" : "\\u0061cme"
                out.append(#"{"v":1,"kind":"request","at":"\#(at(i))","tenant":"\#(t)","token":"\#(escaped)","#
                           + #""operation":"GET \"x\"","fingerprint":"\#(String(repeating: "AB", count: 32))","#
                           + #""outcome":"replayed"}"#)
            case 3:
                out.append(J.line(StoreEvent(kind: .request, at: t0 + .seconds(Int64(i)), tenant: tenant, token: token,
                                             operation: "POST /v1/charges", fingerprint: Fingerprint("md5:0a1b"),
                                             storedFingerprint: J.fp, outcome: .mismatch)))
            case 4: out.append(J.line(J.request(token, .conflict, tenant: tenant, at: t0 + .seconds(Int64(i)))))
            case 5: out.append(J.line(J.request(token, .reexecuted, tenant: tenant, at: t0 + .seconds(Int64(i)))))
            case 6:
                out.append(J.line(StoreEvent(kind: .failed, at: t0 + .seconds(Int64(i)), tenant: tenant, token: token,
                                             error: "upstream \"timeout\"")))
            case 7:
                out.append(J.line(StoreEvent(kind: .purge, at: t0 + .seconds(Int64(i)), tenant: tenant, token: token,
                                             actor: "ops", reason: "stuck", sawStatus: .stuck, sawVersion: 3)))
            case 8:
                out.append(J.line(StoreEvent(kind: .replay, at: t0 + .seconds(Int64(i)), tenant: tenant, token: token,
                                             actor: "ops", reason: "check", target: "http://x", resultStatus: 200)))
            case 9:
                // An execution without an operation, with null fields, in another key order, a new token each time.
                out.append(#"{"token":"new-\#(i)","tenant":"\#(tenant)","outcome":"executed","fingerprint":null,"#
                           + #""expires_at":null,"kind":"request","at":"\#(at(i))","request":{"body":"{\"a\":[1,{}]}"}}"#)
            case 10: out.append(i % 2 == 0 ? "{\"kind\":\"request\",\"at\":\"\(at(i))\"}" : "not json")
            case 11: out.append(i % 2 == 0 ? "" : "  \r")
            default:
                out.append(J.line(StoreEvent(kind: .completed, at: t0 + .seconds(Int64(i)), tenant: tenant, token: token,
                                             expiresAt: t0 + .hours(48), responseStatus: nil)))
            }
        }
        return out.map { $0.hasSuffix("\n") ? $0 : $0 + "\n" }
    }

    func expectSame(_ a: Ledger, _ b: Ledger) {
        #expect(a.records == b.records)
        #expect(a.tenants.strings == b.tenants.strings && a.operations.strings == b.operations.strings)
        #expect(a.counts == b.counts && a.lastEventAt == b.lastEventAt)
        #expect(a.malformed == b.malformed && a.malformedCount == b.malformedCount)
        #expect(a.times.instants == b.times.instants && a.times.packed == b.times.packed)
    }

    /// The ledger of `path` read as `StoreEvent`s, up to `until`.
    func storeEventLedger(_ path: String, chunk: Int, until: Instant?) throws -> (Ledger, JournalReader) {
        let r = try JournalReader(path: path, chunkSize: chunk)
        r.blocks.parallelThreshold = 0
        var ledger = Ledger()
        try ReadAhead.drain(r) { events, malformed in
            for e in events where until.map({ e.at <= $0 }) ?? true { ledger.apply(e) }
            for m in malformed { ledger.noteMalformed(m) }
        }
        return (ledger, r)
    }

    /// The ledger of `path` read as `FoldEvent`s, up to `until`.
    func foldEventLedger(_ path: String, chunk: Int, workers: Int,
                         until: Instant?) throws -> (Ledger, JournalReader, parts: Int) {
        let r = try JournalReader(path: path, chunkSize: chunk, indexTokens: false)
        r.blocks = BlockDecoder(workers: workers)
        r.blocks.parallelThreshold = 0
        var ledger = Ledger()
        var parts = 0, later = 0, after = 0
        try ReadAhead.drainFolds(r) { part, malformed in
            parts += 1
            // A part at once (its lookups taken ahead), as a load does.
            later += ledger.apply(part, until: until)
            after += part.events.filter { e in until.map { e.at > $0 } ?? false }.count
            for m in malformed { ledger.noteMalformed(m) }
        }
        #expect(later == after && (until == nil || later > 0))
        return (ledger, r, parts)
    }

    @Test func foldEventsFoldTheLedgerStoreEventsDo() throws {
        let dir = try TempDir()
        let path = dir.file("j.jsonl")
        let text = FoldEventTests.lines().joined()
        try J.write(text, to: path)
        for until in [nil, FoldEventTests.t0 + .seconds(250)] {
            let (want, wr) = try storeEventLedger(path, chunk: 1 << 20, until: until)
            // Lines 10, 23, ... 387 (i % 13 == 10) are malformed; the empty ones are not.
            #expect(want.count > 97 && want.malformedCount == 30)
            #expect(want.tenants.strings == (until == nil ? ["café", "acme", "late"] : ["café", "acme"]))
            #expect(want.records.contains { $0.fingerprint.description == String(repeating: "AB", count: 32) })
            for (chunk, workers) in [(1 << 20, 1), (4096, 2), (5000, 3), (65_536, 2)] {
                let (got, r, parts) = try foldEventLedger(path, chunk: chunk, workers: workers, until: until)
                expectSame(got, want)
                #expect(r.offset == Int64(text.utf8.count) && r.offset == wr.offset, "chunk \(chunk)")
                #expect(r.linesRead == wr.linesRead, "chunk \(chunk)")
                if chunk < 1 << 20 { #expect(parts > workers, "chunk \(chunk): the parts were cut") }
            }
        }
    }

    @Test func afterTheFoldTheReaderFollowsWithStoreEvents() throws {
        let dir = try TempDir()
        let path = dir.file("j.jsonl")
        let first = FoldEventTests.lines()
        try J.write(first.joined(), to: path)
        let (_, r, _) = try foldEventLedger(path, chunk: 4096, workers: 2, until: nil)
        let appended = J.line(J.request("later")) + "{bad\n" + J.line(J.completed("later"))
        try J.append(appended, to: path)
        let more = try J.drain(r)
        #expect(more.events.map(\.token) == ["later", "later"])
        #expect(more.events.map(\.seq) == [Int64(first.count) + 1, Int64(first.count) + 3])
        #expect(more.malformed.map(\.position) == [Int64(first.count) + 2])
        #expect(r.offset == Int64((first.joined() + appended).utf8.count))
    }

    @Test func aRotatedFilesLastLineComesThroughTheFold() throws {
        // The old file ends without a newline: that line is handed on as a StoreEvent when the reader moves on to
        // the new file, and must reach the fold as the others do.
        let dir = try TempDir()
        let path = dir.file("j.jsonl")
        func read(folds: Bool) throws -> Ledger {
            try J.write(J.line(J.request("a")) + String(J.line(J.request("b")).dropLast()), to: path)
            let r = try JournalReader(path: path, indexTokens: !folds, rotationGrace: 0)
            try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
            try J.write(J.line(J.completed("b")) + J.line(J.request("c")), to: path)
            defer { try? FileManager.default.removeItem(atPath: path + ".1") }
            var ledger = Ledger()
            if folds {
                try ReadAhead.drainFolds(r) { part, _ in
                    part.withEvents { e, bytes in
                        for i in e.indices { ledger.apply(fold: e.baseAddress! + i, bytes: bytes) }
                    }
                }
            } else {
                try ReadAhead.drain(r) { events, _ in for e in events { ledger.apply(e) } }
            }
            return ledger
        }
        let want = try read(folds: false)
        #expect(want.records.map(\.token) == ["a", "b", "c"] && want.records[1].stored == .completed)
        expectSame(try read(folds: true), want)
    }

    @Test func aStoreEventAppendedToAPartFoldsAsItself() {
        let events = [J.request("x", tenant: "t"), J.completed("x", tenant: "t"),
                      StoreEvent(kind: .request, at: J.t0, tenant: "", token: "", fingerprint: Fingerprint("short"),
                                 outcome: .executed),
                      StoreEvent(kind: .purge, at: J.t0 + .seconds(1), tenant: "", token: "", actor: "a")]
        var part = FoldPart()
        for e in events { part.append(e) }
        var got = Ledger(), want = Ledger()
        part.withEvents { e, bytes in for i in e.indices { got.apply(fold: e.baseAddress! + i, bytes: bytes) } }
        for e in events { want.apply(e) }
        expectSame(got, want)
        #expect(got.records.count == 2 && got.records[1].fingerprint == Fingerprint("short"))
    }

    @Test func aPartKeepsEachTenantAndOperationOnceWhateverHowMany() {
        // 300 tenants (the slot table grows several times), among them ones whose first and last eight bytes and
        // length agree, each named by several events in turn.
        var events: [StoreEvent] = []
        for round in 0..<3 {
            for k in 0..<300 {
                let tenant = k % 2 == 0 ? "tenant-\(k)" : "tenant-aaaaaaaa-\(k)-zzzzzzzz"
                var e = J.request("tok-\(k)-\(round)", tenant: tenant)
                // 100 operations, and events with none.
                e.operation = k % 3 == 0 ? nil : "POST /v1/op-\(k % 100)"
                events.append(e)
            }
        }
        var part = FoldPart()
        for e in events { part.append(e) }
        #expect(part.tenants.count == 300 && part.operations.count == 100)
        for (i, e) in part.events.enumerated() {
            #expect(part.string(part.tenants[Int(e.tenantSlot)]) == events[i].tenant)
            let operation = e.operationSlot == FoldEvent.noSlot ? nil : part.string(part.operations[Int(e.operationSlot)])
            #expect(operation == events[i].operation)
        }
        var got = Ledger(), want = Ledger()
        _ = got.apply(part, until: nil)
        for e in events { want.apply(e) }
        expectSame(got, want)
        #expect(got.tenants.strings.count == 300)
    }
}
