import Testing
import Foundation
import IdemCore
@testable import IdemStore

/// The journal's fold checkpoint: the ledger read back is the one folded, a reopen that folds only the appended
/// lines onto it equals a cold read, and a checkpoint that cannot be trusted is discarded.
@Suite struct JournalFoldCheckpointTests {
    let dir: TempDir
    let journal: String
    let folder: String
    var checkpoint: String { JournalFoldCheckpoint.name(forJournal: journal, folder: folder) }

    init() throws {
        dir = try TempDir()
        journal = dir.file("j.jsonl")
        folder = dir.file("cache/idemtop")
        var text = ""
        for i in 0..<300 {
            let at = J.t0 + .seconds(Int64(i))
            text += J.line(J.request("t\(i % 120)", i < 120 ? .executed : .replayed, tenant: i % 3 == 0 ? "b" : "a", at: at)) + "\n"
            if i % 5 == 0 { text += J.line(J.completed("t\(i % 120)", status: 200 + i % 3, tenant: i % 3 == 0 ? "b" : "a", at: at)) + "\n" }
        }
        text += "{oops\n" + J.line(J.request("t1", .mismatch)) + "\n"
        try J.write(text, to: journal)
    }

    /// The whole journal folded from `from` (with the checkpoint's ledger and lines), and the reader after it.
    func fold(onto start: JournalFoldCheckpoint.Found? = nil) throws -> (Ledger, JournalReader) {
        let r = try JournalReader(path: journal, indexTokens: false)
        var ledger = start?.ledger ?? Ledger()
        if let start { r.resume(at: start.covered, lines: start.lines) }
        let (events, bad) = try J.drain(r)
        events.forEach { ledger.apply($0) }
        bad.forEach { ledger.noteMalformed($0) }
        return (ledger, r)
    }

    func write(chunkSize: Int = JournalFoldCheckpoint.chunkSize) throws {
        let (ledger, r) = try fold()
        try JournalFoldCheckpoint.write(ledger, journal: journal, covered: r.offset, lines: r.linesRead, folder: folder,
                                        chunkSize: chunkSize)
    }

    func expectSame(_ a: Ledger, _ b: Ledger) {
        #expect(a.records == b.records)
        #expect(a.tenants.strings == b.tenants.strings && a.operations.strings == b.operations.strings)
        #expect(a.counts == b.counts && a.lastEventAt == b.lastEventAt && a.storeCount == b.storeCount)
        #expect(a.malformed == b.malformed && a.malformedCount == b.malformedCount)
        #expect(a.times.instants == b.times.instants && a.times.packed == b.times.packed && a.times.count > 0)
        for r in a.records { #expect(b.indexOf(a.key(of: r)) == a.indexOf(a.key(of: r))) }
    }

    @Test func theLedgerReadBackIsTheOneFolded() throws {
        let (ledger, _) = try fold()
        let back = try #require(Ledger(decoding: ledger.encoded(), policy: .standard))
        expectSame(ledger, back)
        #expect(Ledger(decoding: Array(ledger.encoded().dropLast()), policy: .standard) == nil)
    }

    @Test func foldingTheAppendedLinesOntoItEqualsAColdRead() throws {
        try write()
        try J.append(J.line(J.request("t1", .conflict)) + "\n" + J.line(J.request("fresh", tenant: "c")) + "\n{bad\n"
                     + J.line(J.completed("fresh", tenant: "c")) + "\n" + String(J.line(J.request("t2")).dropLast()),
                     to: journal)
        let found = try #require(try JournalFoldCheckpoint.read(journal: journal, policy: .standard, folder: folder))
        let (warm, wr) = try fold(onto: found)
        let (cold, cr) = try fold()
        expectSame(warm, cold)
        #expect(wr.offset == cr.offset && wr.linesRead == cr.linesRead)
        #expect(warm.records.contains { $0.token == "fresh" })
    }

    func expectDiscarded(_ why: String, policy: Policy = .standard) {
        do {
            _ = try JournalFoldCheckpoint.read(journal: journal, policy: policy, folder: folder)
            Issue.record("the checkpoint was trusted (\(why))")
        } catch {
            #expect("\(error)".contains(why), "\(error)")
        }
        #expect(!FileManager.default.fileExists(atPath: checkpoint))
    }

    func flip(_ path: String, at offset: Int) throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let i = offset >= 0 ? offset : bytes.count + offset
        bytes[i] ^= 0x04
        let h = try #require(FileHandle(forWritingAtPath: path))
        try h.write(contentsOf: Data(bytes))
        try h.close()
    }

    @Test func staleForeignVersionAndPolicyAreDiscarded() throws {
        try write()
        try #require(truncate(journal, 50) == 0)
        expectDiscarded("stale")
        // Another journal's checkpoint in this one's place.
        let other = try JournalFoldCheckpointTests()
        try other.write()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: other.checkpoint, toPath: checkpoint)
        expectDiscarded("another file")
        let fresh = try JournalFoldCheckpointTests()
        try fresh.write()
        try fresh.flip(fresh.checkpoint, at: JournalFoldCheckpoint.magic.count)
        fresh.expectDiscarded("another version")
        try fresh.write()
        fresh.expectDiscarded("another retention", policy: Policy(retention: .hours(1)))
    }

    @Test func aRewrittenStartIsStale() throws {
        try write()
        try flip(journal, at: 10)
        expectDiscarded("stale")
    }

    @Test(arguments: [3, 30, 95, 100, 2000, -1])
    func aFlippedBitOrATruncationIsCorrupt(at offset: Int) throws {
        try write()
        try flip(checkpoint, at: offset)
        expectDiscarded("corrupt")
        try write()
        try #require(truncate(checkpoint, off_t(max(1, offset))) == 0)
        expectDiscarded("corrupt")
    }

    @Test func theFileIs0600() throws {
        try write()
        #expect((try FileManager.default.attributesOfItem(atPath: checkpoint)[.posixPermissions] as? Int) == 0o600)
    }

    @Test func theCheckpointReadBackIsTheLedgerFolded() throws {
        // Text fingerprints (not SHA-256 hex) go to the image's text section.
        try J.append(J.line(StoreEvent(kind: .request, at: J.t0, tenant: "a", token: "md5-token", operation: "op",
                                       fingerprint: Fingerprint("d41d8cd98f00b204e9800998ecf8427e"),
                                       outcome: .executed)) + "\n", to: journal)
        for chunk in [JournalFoldCheckpoint.chunkSize, 64, 1000] {
            try write(chunkSize: chunk)
            let found = try #require(try JournalFoldCheckpoint.read(journal: journal, policy: .standard, folder: folder))
            let (cold, r) = try fold()
            expectSame(found.ledger, cold)
            #expect(found.covered == r.offset && found.lines == r.linesRead)
            #expect(found.bytes == Int64((try FileManager.default.attributesOfItem(atPath: checkpoint)[.size] as? Int) ?? -1))
            #expect(found.ledger.records.contains { $0.fingerprint.description == "d41d8cd98f00b204e9800998ecf8427e" })
        }
    }

    @Test func aFlippedByteInAnyChunkIsCorrupt() throws {
        let chunk = 256
        try write(chunkSize: chunk)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: checkpoint)[.size] as? Int)
        let header = JournalFoldCheckpoint.headerSize
        let chunks = (size - header - 8) / (chunk + 8)
        #expect(chunks > 20)
        for k in 0..<chunks {
            // Somewhere in chunk k, a different place in each.
            try flip(checkpoint, at: header + k * chunk + (k * 37) % chunk)
            expectDiscarded("corrupt")
            try write(chunkSize: chunk)
        }
        // Every byte of the trailer (the chunks' sums and their sum).
        for offset in stride(from: size - 8 * (chunks + 1), to: size, by: 5) {
            try flip(checkpoint, at: offset)
            expectDiscarded("corrupt")
            try write(chunkSize: chunk)
        }
    }

    @Test func aCheckpointCutAtAnyChunkBoundaryIsCorrupt() throws {
        let chunk = 512
        try write(chunkSize: chunk)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: checkpoint)[.size] as? Int)
        for cut in Array(stride(from: JournalFoldCheckpoint.headerSize, to: size, by: chunk)) + [size - 1, size - 8, size - 9] {
            try #require(truncate(checkpoint, off_t(cut)) == 0)
            expectDiscarded("corrupt")
            try write(chunkSize: chunk)
        }
        // One byte more is as wrong as one less.
        try J.append("x", to: checkpoint)
        expectDiscarded("corrupt")
    }

    @Test func aRotatedOrReplacedJournalIsAnotherFile() throws {
        try write()
        // Rotated: the journal moves aside and a new one starts in its place.
        try FileManager.default.moveItem(atPath: journal, toPath: journal + ".1")
        try J.write(J.line(J.request("after-rotation")) + "\n", to: journal)
        expectDiscarded("another file")
        // Replaced by a copy of itself (same bytes, a new inode): still not the file the checkpoint was made of.
        try write()
        let copy = dir.file("copy.jsonl")
        try FileManager.default.copyItem(atPath: journal, toPath: copy)
        #expect(rename(copy, journal) == 0)
        expectDiscarded("another file")
    }

    @Test func aReopenAfterAppendingReadsOnlyTheTailAndEqualsAColdRead() throws {
        try write()
        let before = try #require(try JournalFoldCheckpoint.read(journal: journal, policy: .standard, folder: folder))
        var tail = ""
        for i in 0..<40 { tail += J.line(J.request("t\(i % 7)", .replayed, at: J.t0 + .hours(1))) + "\n" }
        try J.append(tail, to: journal)
        let found = try #require(try JournalFoldCheckpoint.read(journal: journal, policy: .standard, folder: folder))
        #expect(found.covered == before.covered, "the checkpoint still covers the prefix it was made of")
        let (warm, wr) = try fold(onto: found)
        let (cold, cr) = try fold()
        expectSame(warm, cold)
        #expect(wr.offset == cr.offset && wr.offset - found.covered == Int64(tail.utf8.count))
    }
}
