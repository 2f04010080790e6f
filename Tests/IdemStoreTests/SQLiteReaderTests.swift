import Foundation
import IdemCore
import IdemFakes
import IdemStore
import Testing

/// The reader: batches, idle polling, malformed rows, details, and following another process as it writes.
@Suite struct SQLiteReaderTests {
    typealias T = SQLiteTestSupport

    static func store(_ name: String = #function, tokens: Int) throws -> (String, SQLiteWriter, FixedClock) {
        let path = try T.tempDir(name) + "/store.db"
        let clock = FixedClock("2026-11-29T06:00:00Z")
        let writer = try SQLiteWriter(path: path, clock: clock, create: true)
        for i in 0..<tokens {
            let (request, fp) = T.charge(i)
            if case .execute(let t, _) = try writer.begin(tenant: "acme", token: "k\(i)", operation: "POST /v1/charges",
                                                          fingerprint: fp, request: request) {
                try writer.complete(t, response: StoredResponse(status: 201, body: "{\"n\":\(i)}"))
            }
            clock.advance(.seconds(1))
        }
        return (path, writer, clock)
    }

    @Test func pollsInBatchesThenIdlesOnDataVersion() throws {
        let (path, writer, clock) = try Self.store(tokens: 5)
        let reader = try SQLiteReader(path: path, mode: .readOnly)
        #expect(reader.progress == LoadProgress(done: 0, total: 10, unit: "rows"))
        var seqs: [Int64] = []
        var sizes: [Int] = []
        while true {
            let n = try reader.poll(limit: 4, { seqs.append($0.seq) }, malformed: { Issue.record("\($0)") })
            if n == 0 { break }
            sizes.append(n)
        }
        #expect(sizes == [4, 4, 2])
        #expect(seqs == Array(1...10))
        #expect(reader.progress.fraction == 1)
        let skipsBefore = reader.idleSkips
        for _ in 0..<3 { #expect(try reader.poll(limit: 4, { _ in }, malformed: { _ in }) == 0) }
        #expect(reader.idleSkips == skipsBefore + 3)
        // A commit by another connection changes data_version: the next poll queries and sees it.
        let (request, fp) = T.charge(99)
        clock.advance(.seconds(1))
        _ = try writer.begin(tenant: "acme", token: "new", operation: "POST /v1/charges", fingerprint: fp, request: request)
        var fresh: [StoreEvent] = []
        #expect(try reader.poll(limit: 4, { fresh.append($0) }, malformed: { _ in }) == 1)
        #expect(fresh.first?.seq == 11 && fresh.first?.ref == 11 && fresh.first?.outcome == .executed)
        #expect(fresh.first?.at == clock.now())
        #expect(fresh.first?.request == nil)
    }

    @Test func detailHasBodiesAndTheWholeTimeline() throws {
        let (path, _, _) = try Self.store(tokens: 3)
        let reader = try SQLiteReader(path: path, mode: .readOnly)
        let detail = try reader.detail(for: TokenKey(tenant: "acme", token: "k1"))
        #expect(detail.request?.body == "{\"amount\":1,\"currency\":\"eur\"}")
        #expect(detail.request?.headers["Idempotency-Key"] == "k")
        #expect(detail.response == StoredResponse(status: 201, body: "{\"n\":1}"))
        #expect(detail.timeline.map(\.seq) == [3, 4])
        #expect(detail.timeline[0].request?.method == "POST")
        #expect(detail.timeline[1].response?.status == 201)
        #expect(throws: StoreError.unknownToken(TokenKey(tenant: "other", token: "k1"))) {
            try reader.detail(for: TokenKey(tenant: "other", token: "k1"))
        }
    }

    @Test func malformedRowsAreReportedWithTheirSeqAndSkipped() throws {
        let (path, _, _) = try Self.store(tokens: 1)
        let raw = try SQLiteSchema.open(path: path, mode: .readWrite(create: false))
        try raw.execute("""
            INSERT INTO idem_events (at, kind, tenant, token, outcome) VALUES (1, 'bogus', 'acme', 'k0', NULL);
            INSERT INTO idem_events (at, kind, tenant, token, outcome) VALUES (1, 'request', 'acme', 'k0', 'maybe');
            INSERT INTO idem_events (at, kind, tenant, token, outcome) VALUES (1, 'request', 'acme', 'k0', NULL);
            INSERT INTO idem_events (at, kind, tenant, token, outcome) VALUES ('yesterday', 'request', 'acme', 'k0', 'replayed');
            INSERT INTO idem_events (at, kind, tenant, token, saw_status) VALUES (1, 'purge', 'acme', 'k0', 'gone');
            INSERT INTO idem_events (at, kind, tenant, token, outcome) VALUES (2, 'request', 'acme', 'k0', 'replayed');
            """)
        let reader = try SQLiteReader(path: path, mode: .readOnly)
        var good: [Int64] = []
        var bad: [MalformedEntry] = []
        // A batch of only malformed rows still counts as read, so a caller looping until 0 goes on past it.
        #expect(try reader.poll(limit: 2, { good.append($0.seq) }, malformed: { bad.append($0) }) == 2)
        #expect(try reader.poll(limit: 5, { good.append($0.seq) }, malformed: { bad.append($0) }) == 5)
        #expect(try reader.poll(limit: 5, { good.append($0.seq) }, malformed: { bad.append($0) }) == 1)
        #expect(good == [1, 2, 8])
        #expect(bad.map(\.position) == [3, 4, 5, 6, 7])
        #expect(bad.map(\.reason) == [
            "unknown kind 'bogus'", "unknown outcome 'maybe'", "a request event with no outcome",
            "at is not an integer (epoch milliseconds)", "unknown saw_status 'gone'",
        ])
        #expect(try reader.poll(limit: 100, { _ in }, malformed: { _ in Issue.record("reported twice") }) == 0)
    }

    @Test func aReaderMidQueryDoesNotBlockTheWriter() throws {
        let (path, _, clock) = try Self.store(tokens: 3)
        let writer = try SQLiteWriter(path: path, clock: clock, create: false, busyTimeout: 100)
        let reader = try SQLiteReader(path: path, mode: .readOnly)
        var results: [BeginResult] = []
        _ = try reader.poll(limit: 100, { e in
            // The reader's statement is open on its snapshot; the writer commits beside it.
            if e.seq == 1, let r = try? writer.begin(tenant: "acme", token: "during", operation: "op",
                                                     fingerprint: Fingerprint("f"), request: nil) {
                results.append(r)
            }
        }, malformed: { _ in })
        #expect(results.count == 1)
        var later: [String] = []
        _ = try reader.poll(limit: 100, { later.append($0.token) }, malformed: { _ in })
        #expect(later == ["during"])
    }

    /// python3's sqlite3 appends events one commit at a time; the reader, polling every 10 ms, sees each once, in
    /// order, within 100 ms of its commit (95th percentile; see the note on the bound).
    @Test func followsAnotherProcessWriting() throws {
        try #require(T.hasPython, "this test needs python3 with its sqlite3 module (apt-get install python3)")
        let (path, _, _) = try Self.store(tokens: 0)
        let reader = try SQLiteReader(path: path, mode: .readOnly)
        let count = 150
        let out = Pipe()
        let python = try T.python("""
            import sqlite3, sys, time, random
            c = sqlite3.connect(sys.argv[1], isolation_level=None)
            c.execute("PRAGMA busy_timeout=5000")
            print("ready", flush=True)
            time.sleep(0.2)
            for i in range(int(sys.argv[2])):
                c.execute("BEGIN IMMEDIATE")
                cur = c.execute("INSERT INTO idem_events (at, kind, tenant, token, operation, fingerprint, outcome) "
                                "VALUES (?, 'request', 'py', ?, 'op', 'fp', 'executed')", (int(time.time() * 1000), "t%d" % i))
                seq = cur.lastrowid
                c.execute("COMMIT")
                print(seq, repr(time.time()), flush=True)
                time.sleep(random.uniform(0, 0.02))
            """, [path, String(count)], stdout: out)
        defer { if python.isRunning { python.stop() } }
        #expect(T.waitForLine(out, where: { $0 == "ready" }) != nil)
        var seen: [(Int64, Double)] = []
        let deadline = Date().addingTimeInterval(30)
        while seen.count < count && Date() < deadline {
            _ = try reader.poll(limit: 1000, { seen.append(($0.seq, Date().timeIntervalSince1970)) },
                                malformed: { Issue.record("malformed \($0)") })
            Thread.sleep(forTimeInterval: 0.01)
        }
        #expect(T.wait(python, timeout: 30))
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        var committed: [Int64: Double] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let seq = Int64(parts[0]), let at = Double(parts[1]) { committed[seq] = at }
        }
        #expect(seen.map(\.0) == Array(1...Int64(count)))
        let latencies = seen.compactMap { seq, at in committed[seq].map { (at - $0) * 1000 } }.sorted()
        #expect(latencies.count == count)
        let median = latencies.isEmpty ? 0 : latencies[latencies.count / 2]
        let p95 = latencies.isEmpty ? 0 : latencies[latencies.count * 95 / 100]
        let worst = latencies.last ?? 0
        func ms(_ v: Double) -> String { String(format: "%.1f ms", v) }
        print("SQLite follow: \(count) commits by python3, reader polling every 10 ms: latency median \(ms(median)), "
              + "p95 \(ms(p95)), max \(ms(worst)), idle skips \(reader.idleSkips)")
        // Within 100 ms of commit; on 2 shared cores one scheduling hiccup may exceed that, so the bound is on p95
        // and the maximum only has to stay under a second.
        #expect(p95 < 100)
        #expect(worst < 1000)
    }
}
