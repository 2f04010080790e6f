import Foundation
import IdemCore
import IdemStore
import Testing

/// A measurement, not a timed test: loads a large store and times a full `poll` + `Ledger.apply` over it.
///
/// Runs only with `IDEMTOP_SQLITE_BENCH=1`, best in a release build:
///
///     IDEMTOP_SQLITE_BENCH=1 swift test -c release --filter IdemStoreTests.SQLiteBenchmarkTests
///
/// `IDEMTOP_SQLITE_BENCH_TOKENS` (default 1,000,000; three events each) sizes it; `IDEMTOP_SQLITE_BENCH_DB` names the
/// file (default in the temp dir). An existing file is reused, so a second run reads it with a fresh process.
@Suite(.serialized) struct SQLiteBenchmarkTests {
    @Test func loadAndFoldAStore() throws {
        let env = ProcessInfo.processInfo.environment
        guard env["IDEMTOP_SQLITE_BENCH"] == "1" else { return }
        let tokens = env["IDEMTOP_SQLITE_BENCH_TOKENS"].flatMap(Int.init) ?? 1_000_000
        let path = env["IDEMTOP_SQLITE_BENCH_DB"] ?? NSTemporaryDirectory() + "idemtop-sqlite-bench-\(tokens).db"

        if !FileManager.default.fileExists(atPath: path) {
            let loader = try SQLiteBulkLoader(path: path, create: true)
            let started = Date()
            let written = try loader.load(Self.events(tokens: tokens))
            let seconds = Date().timeIntervalSince(started)
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            print("SQLite bench: loaded \(written) events / \(tokens) tokens in one transaction in "
                  + "\(String(format: "%.1f", seconds)) s (\(Int(Double(written) / seconds)) events/s), "
                  + "file \(size / 1_048_576) MiB")
        }

        let started = Date()
        let reader = try SQLiteReader(path: path, mode: .readOnly)
        var ledger = Ledger()
        var rows = 0
        while true {
            let n = try reader.poll(limit: 10_000, { ledger.apply($0) }, malformed: { ledger.noteMalformed($0) })
            if n == 0 { break }
            rows += n
        }
        let seconds = Date().timeIntervalSince(started)
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        print("SQLite bench: full poll + Ledger.apply of \(rows) events into \(ledger.count) records in "
              + "\(String(format: "%.2f", seconds)) s = \(Int(Double(rows) / seconds)) rows/s; "
              + "max RSS \(usage.ru_maxrss / 1024) MiB; malformed \(ledger.malformedCount)")

        let pollOnly = try SQLiteReader(path: path, mode: .readOnly)
        let t0 = Date()
        var count = 0
        while try pollOnly.poll(limit: 10_000, { _ in count += 1 }, malformed: { _ in }) > 0 {}
        let pollSeconds = Date().timeIntervalSince(t0)
        print("SQLite bench: poll alone (no fold) \(count) rows in \(String(format: "%.2f", pollSeconds)) s = "
              + "\(Int(Double(count) / pollSeconds)) rows/s")
        #expect(rows == count)
    }

    /// The writer API's own rate: begin + complete pairs, each its own `BEGIN IMMEDIATE` transaction.
    @Test func writerThroughput() throws {
        guard ProcessInfo.processInfo.environment["IDEMTOP_SQLITE_BENCH"] == "1" else { return }
        let path = NSTemporaryDirectory() + "idemtop-sqlite-writer-\(UUID().uuidString.prefix(8)).db"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let writer = try SQLiteWriter(path: path, create: true)
        let pairs = 20_000
        let started = Date()
        for i in 0..<pairs {
            let body = "{\"amount\":\(i)}"
            let request = StoredRequest(method: "POST", path: "/v1/charges", headers: ["Idempotency-Key": "k\(i)"],
                                        body: body)
            let fp = Fingerprint.of(method: "POST", path: "/v1/charges", body: body)
            if case .execute(let ticket, _) = try writer.begin(tenant: "acme", token: "k\(i)",
                                                               operation: "POST /v1/charges", fingerprint: fp,
                                                               request: request) {
                try writer.complete(ticket, response: StoredResponse(status: 201, body: "{\"id\":\(i)}"))
            }
        }
        let seconds = Date().timeIntervalSince(started)
        print("SQLite bench: writer \(pairs) begin+complete pairs in \(String(format: "%.2f", seconds)) s = "
              + "\(Int(Double(pairs) / seconds)) pairs/s (synchronous=NORMAL, WAL)")
    }

    /// Three events per token (executed with a request, completed with a response, one replayed hit), over ten
    /// tenants and four operations, a second apart.
    static func events(tokens: Int) -> some Sequence<StoreEvent> {
        let base = Instant(ms: 1_795_900_000_000)
        let operations = ["POST /v1/charges", "POST /v1/refunds", "POST /v1/payouts", "POST /v1/transfers"]
        return (0..<tokens).lazy.flatMap { i -> [StoreEvent] in
            let tenant = "tenant-\(i % 10)"
            let token = "tok_\(i)"
            let op = operations[i % 4]
            let hex = String(UInt64(i) &* 0x9E37_79B9_7F4A_7C15, radix: 16)
            let fp = Fingerprint(String(repeating: "a", count: 64 - hex.count) + hex)
            let at = base + .seconds(Int64(i))
            let body = "{\"amount\":\(i % 5000),\"currency\":\"eur\",\"customer\":\"cus_\(i % 9973)\"}"
            var executed = StoreEvent(kind: .request, at: at, tenant: tenant, token: token, operation: op,
                                      fingerprint: fp, outcome: .executed, expiresAt: at + .hours(24),
                                      lockedUntil: at + .seconds(60))
            executed.request = StoredRequest(method: "POST", path: String(op.dropFirst(5)),
                                             headers: ["Idempotency-Key": token], body: body)
            let completed = StoreEvent(kind: .completed, at: at + TimeSpan(ms: 120), tenant: tenant, token: token,
                                       responseStatus: 201,
                                       response: StoredResponse(status: 201, body: "{\"id\":\"ch_\(i)\"}"))
            let hit = StoreEvent(kind: .request, at: at + .seconds(5), tenant: tenant, token: token, operation: op,
                                 fingerprint: fp, outcome: .replayed)
            return [executed, completed, hit]
        }
    }
}
