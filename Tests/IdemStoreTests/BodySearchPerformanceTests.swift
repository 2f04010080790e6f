import Foundation
import IdemCore
import IdemStore
import Testing

/// `body:` over big stores, run only with `IDEMTOP_PERF=1` (use `-c release`):
/// `IDEMTOP_PERF=1 swift test -c release --filter BodySearchPerformanceTests`.
///
/// A SQLite store of 1,000,000 tokens (3 events each, `SQLiteBenchmarkTests.events`) and a journal of the same
/// events for `IDEMTOP_PERF_JOURNAL_TOKENS` tokens (default 1,700,000: about 1.5 GB); both are made once in the
/// temporary folder and reused.
@Suite(.serialized) struct BodySearchPerformanceTests {
    static let enabled = ProcessInfo.processInfo.environment["IDEMTOP_PERF"] == "1"

    static func timed<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let start = Date()
        let v = try body()
        return (v, Date().timeIntervalSince(start))
    }

    @Test(.enabled(if: enabled)) func sqliteFigures() throws {
        let path = NSTemporaryDirectory() + "idemtop-sqlite-bench-1000000.db"
        if !FileManager.default.fileExists(atPath: path) {
            try SQLiteBulkLoader(path: path, create: true).load(SQLiteBenchmarkTests.events(tokens: 1_000_000))
        }
        let search = SQLiteBodySearch(path: path)
        // cus_4242 is in one request body in 9,973; ch_99999 in one response; the missing one reads everything.
        let (few, t1) = try Self.timed { try search.search("cus_4242\"", progress: { _, _ in true }) }
        let (one, t2) = try Self.timed { try search.search("\"ch_99999\"", progress: { _, _ in true }) }
        let (none, t3) = try Self.timed { try search.search("nowhere-at-all", progress: { _, _ in true }) }
        print(String(format: "PERF body: SQLite 1,000,000 tokens / 3,000,000 events: 'cus_4242\"' %.2f s (%d tokens); "
                     + "'\"ch_99999\"' %.2f s (%d); no match %.2f s", t1, few.count, t2, one.count, t3, none.count))
        #expect(few.count == 1_000_000 / 9973 + 1 || few.count == 1_000_000 / 9973)
        #expect(one.count == 1 && none.isEmpty)
    }

    @Test(.enabled(if: enabled)) func journalFigures() throws {
        let tokens = ProcessInfo.processInfo.environment["IDEMTOP_PERF_JOURNAL_TOKENS"].flatMap(Int.init) ?? 1_700_000
        let path = NSTemporaryDirectory() + "idemtop-journal-bench-\(tokens).jsonl"
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            var out: [UInt8] = []
            for e in SQLiteBenchmarkTests.events(tokens: tokens) {
                EventLineEncoder.append(e, to: &out)
                out.append(10)
                if out.count > 8 << 20 { try h.write(contentsOf: out); out.removeAll(keepingCapacity: true) }
            }
            try h.write(contentsOf: out)
            try h.close()
        }
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        var progressCalls = 0
        let (found, t) = try Self.timed {
            try JournalBodySearch(path: path).search("\"ch_99999\"", progress: { _, _ in progressCalls += 1; return true })
        }
        var stopped = false
        let (_, tCancel) = Self.timed {
            var calls = 0
            do { _ = try JournalBodySearch(path: path).search("x", progress: { _, _ in calls += 1; return calls < 3 }) } catch {
                stopped = error is BodySearchCancelled
            }
        }
        print(String(format: "PERF body: journal %.2f GB (%d tokens): '\"ch_99999\"' %.2f s = %.0f MB/s (%d token, "
                     + "%d progress calls); stopped after 3 reads in %.3f s", Double(size) / 1e9, tokens, t,
                     Double(size) / 1e6 / t, found.count, progressCalls, tCancel))
        #expect(found.count == 1 && stopped)
    }
}
