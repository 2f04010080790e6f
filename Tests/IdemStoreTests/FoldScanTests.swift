import Foundation
import Testing
import IdemCore
@testable import IdemStore

/// The bulk of a read that only folds goes through `JournalReader.scanFolds`: blocks read and decoded by several
/// threads, each taking the lines that start in it. Whatever the block size (smaller than a line, cutting lines
/// anywhere), the number of workers and where the read starts, the ledger, the line numbers of malformed lines, the
/// offset and line count the reader goes on from must be those of the one-thread read of `StoreEvent`s.
@Suite struct FoldScanTests {
    /// `FoldEventTests.lines()` with one line far longer than the blocks (a request body of 20 KB): blocks with no
    /// line starting in them.
    static func lines() -> [String] {
        var out = FoldEventTests.lines()
        let body = String(repeating: #"{\"k\":\"v\"},"#, count: 2000)
        out.insert(#"{"v":1,"kind":"request","at":"\#(J.t0.rfc3339)","tenant":"acme","token":"long","#
                   + #""operation":"POST /x","outcome":"executed","request":{"body":"[\#(body)1]"}}"# + "\n", at: 150)
        return out
    }

    func storeEventLedger(_ path: String) throws -> (Ledger, JournalReader) {
        let r = try JournalReader(path: path)
        var ledger = Ledger()
        try ReadAhead.drain(r) { events, malformed in
            for e in events { ledger.apply(e) }
            for m in malformed { ledger.noteMalformed(m) }
        }
        return (ledger, r)
    }

    /// The ledger of the scan from the reader's offset, then of `drainFolds` (without the scan) from where it
    /// stopped; `scannedTo` is that offset, `parts` counts the parts the scan handed on.
    func scannedLedger(_ r: JournalReader, workers: Int,
                       block: Int) throws -> (Ledger, parts: Int, scannedTo: Int64) {
        var ledger = Ledger()
        var parts = 0
        let scannedTo = try r.scanFolds(FoldScanOptions(workers: workers, blockSize: block, threshold: 0)) { part, bad in
            parts += 1
            _ = ledger.apply(part, until: nil)
            for m in bad { ledger.noteMalformed(m) }
        }
        try ReadAhead.drainFolds(r, scan: FoldScanOptions(threshold: .max)) { part, bad in
            _ = ledger.apply(part, until: nil)
            for m in bad { ledger.noteMalformed(m) }
        }
        return (ledger, parts, scannedTo)
    }

    @Test func blocksOfEverySizeFoldTheLedgerOfTheOneThreadRead() throws {
        let dir = try TempDir()
        let path = dir.file("j.jsonl")
        let text = FoldScanTests.lines().joined()
        try J.write(text, to: path)
        let (want, wr) = try storeEventLedger(path)
        #expect(want.malformedCount == 30 && want.records.contains { $0.token == "long" })
        for (workers, block) in [(1, 64), (2, 64), (3, 100), (2, 333), (2, 4096), (4, 5000), (2, 1 << 20)] {
            let r = try JournalReader(path: path, indexTokens: false)
            let (got, parts, scannedTo) = try scannedLedger(r, workers: workers, block: block)
            FoldEventTests().expectSame(got, want)
            #expect(scannedTo == Int64(text.utf8.count), "block \(block): the scan read every line")
            #expect(r.offset == Int64(text.utf8.count) && r.offset == wr.offset, "block \(block)")
            #expect(r.linesRead == wr.linesRead, "block \(block)")
            if block <= 5000 { #expect(parts > 10, "block \(block): cut into blocks") }
        }
    }

    @Test func aLastLineWithoutItsNewlineIsLeftToTheReader() throws {
        let dir = try TempDir()
        let path = dir.file("j.jsonl")
        let first = FoldScanTests.lines()
        let partial = String(J.line(J.completed("tail")).dropLast())
        try J.write(first.joined() + partial.prefix(40), to: path)
        let r = try JournalReader(path: path, indexTokens: false)
        let (got, _, scannedTo) = try scannedLedger(r, workers: 2, block: 700)
        #expect(scannedTo == Int64(first.joined().utf8.count))
        #expect(r.offset == Int64(first.joined().utf8.count) && r.linesRead == Int64(first.count))
        #expect(!got.records.contains { $0.token == "tail" })
        // The rest of the line arrives: the reader reads it whole, numbered after the others.
        try J.append(String(partial.dropFirst(40)) + "\n", to: path)
        let more = try J.drain(r)
        #expect(more.events.map(\.token) == ["tail"] && more.events.map(\.seq) == [Int64(first.count) + 1])
    }

    @Test func aFileTruncatedAfterTheOpenIsReadToItsNewEnd() throws {
        // The scan reads up to the size at open: a file shorter by then reads short, and the fold stops at the last
        // whole line it holds, where the reader goes on as it would have.
        let dir = try TempDir()
        let path = dir.file("j.jsonl")
        let all = FoldScanTests.lines()
        try J.write(all.joined(), to: path)
        let r = try JournalReader(path: path, indexTokens: false)
        let kept = all.prefix(200).joined()
        let cut = kept + String(all[200].prefix(25))
        let h = try #require(FileHandle(forWritingAtPath: path))
        try h.truncate(atOffset: UInt64(cut.utf8.count))
        try h.close()
        let (got, _, scannedTo) = try scannedLedger(r, workers: 2, block: 512)
        // It stops at the first block that read short: one within a few KB of the new end.
        #expect(scannedTo > Int64(kept.utf8.count) - 8192 && scannedTo <= Int64(kept.utf8.count))
        try J.write(kept, to: dir.file("kept.jsonl"))
        let (want, _) = try storeEventLedger(dir.file("kept.jsonl"))
        FoldEventTests().expectSame(got, want)
        #expect(r.offset == Int64(kept.utf8.count) && r.linesRead == 200)
    }

    @Test func aReadResumedPartWayScansFromThere() throws {
        // After a fold checkpoint the reader starts at a line's offset with the lines before it counted.
        let dir = try TempDir()
        let path = dir.file("j.jsonl")
        let all = FoldScanTests.lines()
        try J.write(all.joined(), to: path)
        let skipped = all.prefix(123).joined()
        try J.write(all.dropFirst(123).joined(), to: dir.file("rest.jsonl"))
        let (rest, _) = try storeEventLedger(dir.file("rest.jsonl"))
        let r = try JournalReader(path: path, indexTokens: false)
        r.resume(at: Int64(skipped.utf8.count), lines: 123)
        let (got, _, scannedTo) = try scannedLedger(r, workers: 3, block: 300)
        #expect(scannedTo == Int64(all.joined().utf8.count))
        // The records point at their lines by offset: in the whole file, past the skipped lines.
        let shift = Int64(skipped.utf8.count)
        let shifted = rest.records.map { r in
            var r = r
            if r.requestRef >= 0 { r.requestRef += shift }
            if r.responseRef >= 0 { r.responseRef += shift }
            return r
        }
        #expect(got.records == shifted && got.counts == rest.counts)
        // Malformed lines keep their place in the whole file.
        #expect(got.malformed.map(\.position) == rest.malformed.map { $0.position + 123 })
        #expect(r.offset == Int64(all.joined().utf8.count) && r.linesRead == Int64(all.count))
    }

    @Test func aFoldThatThrowsStopsTheWorkers() throws {
        struct Stop: Error {}
        let dir = try TempDir()
        let path = dir.file("j.jsonl")
        try J.write(FoldScanTests.lines().joined(), to: path)
        let r = try JournalReader(path: path, indexTokens: false)
        var parts = 0
        #expect(throws: Stop.self) {
            try ReadAhead.drainFolds(r, scan: FoldScanOptions(workers: 2, blockSize: 64, threshold: 0)) { _, _ in
                parts += 1
                if parts == 3 { throw Stop() }
            }
        }
        #expect(parts == 3)
    }
}
