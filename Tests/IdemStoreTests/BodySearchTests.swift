import Foundation
import IdemCore
import IdemFakes
@testable import IdemStore
import Testing

/// The body scans' edges: lines across reads, a line longer than a read, an unfinished last line, needles JSON
/// escapes, the SQLite ranges.
@Suite struct BodySearchTests {
    func dir() throws -> String {
        let d = NSTemporaryDirectory() + "idemtop-bodysearch-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    func tokens(_ s: Set<TokenKey>) -> Set<String> { Set(s.map(\.token)) }

    @Test(arguments: [64, 100, 333, 4 << 20]) func journalLinesAcrossReads(_ readSize: Int) throws {
        let d = try dir()
        defer { try? FileManager.default.removeItem(atPath: d) }
        let path = d + "/t.jsonl"
        try TimeFixture.writeJournal(path)
        // An unfinished line (a writer mid-append) is not read.
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try h.seekToEnd()
        try h.write(contentsOf: Data(#"{"kind":"request","request":{"body":"cus_alpha"#.utf8))
        try h.close()
        var search = JournalBodySearch(path: path)
        search.readSize = readSize
        for (filter, expected) in TimeFixture.bodyCases where !filter.contains(" ") {
            let needle = String(filter.dropFirst(5)).lowercased()
            #expect(tokens(try search.search(needle) { _, _ in true }) == expected, "\(readSize) \(needle)")
        }
    }

    @Test func sqliteInSmallRanges() throws {
        let d = try dir()
        defer { try? FileManager.default.removeItem(atPath: d) }
        let path = d + "/t.db"
        try TimeFixture.writeSQLite(path)
        var search = SQLiteBodySearch(path: path)
        search.chunk = 2
        var calls = 0
        #expect(tokens(try search.search("cus_alpha") { _, _ in calls += 1; return true }) == ["t-start", "t-end"])
        #expect(calls >= 5)
        // LIKE's wildcards in the needle are plain text.
        #expect(try search.search("cus%") { _, _ in true }.isEmpty)
        #expect(try search.search("cus_") { _, _ in true }.count == 3)
    }

    @Test func rawRunIsTheLongestPlainASCIIStretch() {
        #expect(BodySearch.rawRun("\"paid\":true") == Array(":true".utf8))
        #expect(BodySearch.rawRun("ab\"cdef") == Array("cdef".utf8))
        #expect(BodySearch.rawRun("東京").isEmpty)
    }
}
