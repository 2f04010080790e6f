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
    func fold(onto start: (ledger: Ledger, covered: Int64, lines: Int64)? = nil) throws -> (Ledger, JournalReader) {
        let r = try JournalReader(path: journal, indexTokens: false)
        var ledger = start?.ledger ?? Ledger()
        if let start { r.resume(at: start.covered, lines: start.lines) }
        let (events, bad) = try J.drain(r)
        events.forEach { ledger.apply($0) }
        bad.forEach { ledger.noteMalformed($0) }
        return (ledger, r)
    }

    func write() throws {
        let (ledger, r) = try fold()
        try JournalFoldCheckpoint.write(ledger, journal: journal, covered: r.offset, lines: r.linesRead, folder: folder)
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
}
