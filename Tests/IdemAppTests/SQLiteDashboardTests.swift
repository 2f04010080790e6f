import Foundation
import IdemApp
import IdemCore
import IdemFakes
import IdemStore
import IdemUI
import Testing

/// The dashboard over a SQLite store takes its first frame from the token table (`idem_tokens`, no event folded),
/// then the events as history: the state and the screen must be those of the fold of every event, and stay so
/// while another process writes.
@Suite struct SQLiteDashboardTests {
    static let start = Instant(rfc3339: "2026-11-28T00:00:00Z") ?? Instant(ms: 0)

    /// The same reader, hidden behind another type: the feed folds its events as for any store.
    final class Folding: EventReader {
        let inner: SQLiteReader
        init(_ inner: SQLiteReader) { self.inner = inner }
        var location: StoreLocation { inner.location }
        func poll(limit: Int, _ sink: (StoreEvent) -> Void, malformed: (MalformedEntry) -> Void) throws -> Int {
            try inner.poll(limit: limit, sink, malformed: malformed)
        }
        var progress: LoadProgress { inner.progress }
        func detail(for key: TokenKey) throws -> TokenDetail { try inner.detail(for: key) }
        func drainNotices() -> [String] { inner.drainNotices() }
    }

    /// A store with first requests, retries (hits), mismatches, conflicts, completions, failures, purges, admin
    /// replays, tokens left in progress past their lock (stuck), expired ones and a reexecution, and one payload
    /// executed under several tokens (a double-charge finding).
    static func store(_ path: String) throws -> Instant {
        let clock = ManualClock(start)
        let w = try SQLiteWriter(path: path, clock: clock, create: true)
        func body(_ n: Int) -> (StoredRequest, Fingerprint) {
            let b = "{\"amount\":\(n),\"currency\":\"eur\"}"
            return (StoredRequest(method: "POST", path: "/v1/charges", headers: [:], body: b),
                    Fingerprint.of(method: "POST", path: "/v1/charges", body: b))
        }
        for i in 0..<240 {
            // Tokens 40k and 40k + 1 carry one payload in one tenant seconds apart: a double-charge suspect.
            let tenant = i % 3 == 0 || i % 40 < 2 ? "acme" : "globex"
            let token = "order-\(i)"
            let (request, fp) = body(i % 40 < 2 ? 7 : i)
            clock.advance(.seconds(7))
            guard case .execute(let ticket, _) = try w.begin(tenant: tenant, token: token, operation: "POST /v1/charges",
                                                            fingerprint: fp, request: request) else { continue }
            if i % 5 == 0 {
                _ = try w.begin(tenant: tenant, token: token, operation: "POST /v1/charges", fingerprint: fp,
                                request: request)
            }
            if i % 11 == 0 { continue }
            clock.advance(.seconds(1))
            if i % 13 == 0 {
                try w.fail(ticket, error: "card declined")
                continue
            }
            try w.complete(ticket, response: StoredResponse(status: 201, body: "{\"id\":\"ch_\(i)\"}"))
            for _ in 0..<(i % 4) {
                _ = try w.begin(tenant: tenant, token: token, operation: "POST /v1/charges", fingerprint: fp,
                                request: request)
            }
            if i % 7 == 0 {
                let (other, ofp) = body(i + 1000)
                _ = try w.begin(tenant: tenant, token: token, operation: "POST /v1/charges", fingerprint: ofp,
                                request: other)
            }
        }
        let admin = TokenKey(tenant: "globex", token: "order-4")
        let r = try SQLiteTokenTable.read(path: path, until: nil, policy: .standard)?.ledger.record(admin)
        if let r {
            _ = try w.purge(admin, expect: PurgeExpectation(record: r, at: clock.now()), actor: "ops@host", reason: "test")
        }
        try w.recordReplay(StoreEvent(kind: .replay, at: clock.now(), tenant: "acme", token: "order-3",
                                      actor: "ops@host", reason: "test", target: "http://127.0.0.1:1",
                                      resultStatus: 201))
        // A day later: a retry of an expired token runs again.
        clock.advance(.hours(25))
        let (request, fp) = body(2)
        _ = try w.begin(tenant: "globex", token: "order-2", operation: "POST /v1/charges", fingerprint: fp,
                        request: request)
        return clock.now()
    }

    /// What the dashboard shows and keeps, as text: the screen, the counts by status, the findings, the tail, the
    /// event times, and every record.
    /// The two dashboards show the same; on a difference, the lines that differ (not both whole dumps).
    static func expectSameSeen(_ a: DashboardDriver, _ b: DashboardDriver,
                               sourceLocation: SourceLocation = #_sourceLocation) {
        // Findings are recomputed when something moved, at most once a gap of the clock: one dashboard may hold
        // them from before the clock last moved, the other from after ("stuck for 1m40s" and "2m20s"). Opening
        // the findings view recomputes them as of now: both are then of the same instant.
        for d in [a, b] {
            d.press(.char("F"))
            d.press(.escape)
        }
        let x = seen(a), y = seen(b)
        guard x != y else { return }
        let onlyA = x.filter { !y.contains($0) }.prefix(8), onlyB = y.filter { !x.contains($0) }.prefix(8)
        let why: String = "the dashboards differ (\(x.count) and \(y.count) lines): only in the first: \(Array(onlyA)); "
            + "only in the second: \(Array(onlyB))"
        Issue.record(Comment(rawValue: why), sourceLocation: sourceLocation)
    }

    static func seen(_ ui: DashboardDriver) -> [String] {
        let s = ui.state
        var lines = ui.screen.split(separator: "\n").map(String.init)
        lines += TokenStatus.allCases.map { "\($0.rawValue) \(s.tally[$0])" }
        lines += s.findings.findings.map { "\($0.kind) \($0.tenant) \($0.tokens) \($0.count) \($0.evidence)" }.sorted()
        lines += s.tail.events.map { "tail \($0.seq) \($0.label)" }
        lines.append("times \(s.ledger.times.count) counts \(s.ledger.counts.events) tokens \(s.ledger.count)")
        lines += s.ledger.records.map { r in
            "\(s.ledger.key(of: r)) \(s.ledger.operation(of: r)) \(r.stored) \(r.version) \(r.executions) \(r.hits) "
                + "\(r.mismatches) \(r.conflicts) \(r.reexecutions) \(r.adminEvents) \(r.lastSeen.ms) \(r.responseStatus)"
        }.sorted()
        return lines
    }

    @Test func theFirstFrameFromTheTokenTableIsTheFoldsAndFollowsAnotherProcess() throws {
        let dir = NSTemporaryDirectory() + "idemtop-sqlite-dash-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/s.db"
        let end = try Self.store(path)
        let table = try #require(try SQLiteTokenTable.read(path: path, until: nil, policy: .standard),
                                 "the store's token table stands for its fold")
        let clock = ManualClock(end + .minutes(2))
        let fromTable = DashboardDriver(reader: try SQLiteReader(path: path), clock: clock, width: 160, height: 40)
        #expect(fromTable.pump())
        #expect(fromTable.state.ledger.count == table.ledger.count)
        let folded = DashboardDriver(reader: Folding(try SQLiteReader(path: path)), clock: clock, width: 160, height: 40)
        #expect(folded.pump())
        // The findings are recomputed at most every few seconds of the dashboard's clock: move it past that.
        clock.advance(.seconds(40))
        #expect(fromTable.settle(until: { !fromTable.state.findings.findings.isEmpty }), "the store has findings")
        #expect(folded.settle(until: { !folded.state.findings.findings.isEmpty }))
        #expect(fromTable.pump() && folded.pump())
        Self.expectSameSeen(fromTable, folded)
        #expect(fromTable.state.tally[.stuck] > 0 && fromTable.state.tally[.purged] > 0)

        // Another process writes through the documented protocol (schema version 2): the dashboard follows
        // with seq > last, as for any store.
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", "-c", """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1], isolation_level=None)
            c.execute("PRAGMA busy_timeout=5000")
            now = int(sys.argv[2])
            for i in range(30):
                c.execute("BEGIN IMMEDIATE")
                t = "py-%d" % i
                seq = c.execute("INSERT INTO idem_events (at, kind, tenant, token, operation, fingerprint, outcome, "
                                "expires_at, locked_until) VALUES (?, 'request', 'py', ?, 'op', 'fp', 'executed', ?, ?)",
                                (now + i, t, now + i + 86400000, now + i + 60000)).lastrowid
                c.execute("INSERT INTO idem_tokens (tenant, token, operation, fingerprint, status, created_at, "
                          "updated_at, expires_at, locked_until, version, executions, last_seen, request_seq) "
                          "VALUES ('py', ?, 'op', 'fp', 'in_progress', ?, ?, ?, ?, 1, 1, ?, ?)",
                          (t, now + i, now + i, now + i + 86400000, now + i + 60000, now + i, seq))
                c.execute("COMMIT")
            """, path, String(end.ms + 1000)]
        try python.run()
        python.waitUntilExit()
        #expect(python.terminationStatus == 0, "python3 with its sqlite3 module writes the store")
        #expect(fromTable.settle(until: {
            fromTable.loop.sync()
            return fromTable.state.ledger.count == table.ledger.count + 30
        }))
        #expect(fromTable.pump())
        let again = DashboardDriver(reader: Folding(try SQLiteReader(path: path)), clock: clock, width: 160, height: 40)
        #expect(again.pump())
        clock.advance(.seconds(40))
        #expect(again.settle(until: { !again.state.findings.findings.isEmpty }))
        #expect(fromTable.pump() && again.pump())
        Self.expectSameSeen(fromTable, again)
        // And the store, written by both, still reads from its token table.
        #expect(try SQLiteTokenTable.read(path: path, until: nil, policy: .standard)?.ledger.count == table.ledger.count + 30)
    }

    @Test func aMalformedRowIsFoldedAndShown() throws {
        let dir = NSTemporaryDirectory() + "idemtop-sqlite-dash-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/s.db"
        let end = try Self.store(path)
        try SQLiteConnection(path: path, access: .readWrite).execute("UPDATE idem_events SET kind = 'requset' WHERE seq = 3")
        #expect(try SQLiteTokenTable.read(path: path, until: nil, policy: .standard) == nil)
        let clock = ManualClock(end + .minutes(2))
        let ui = DashboardDriver(reader: try SQLiteReader(path: path), clock: clock, width: 160, height: 40)
        #expect(ui.pump())
        #expect(ui.state.ledger.malformedCount == 1)
        let folded = DashboardDriver(reader: Folding(try SQLiteReader(path: path)), clock: clock, width: 160, height: 40)
        #expect(folded.pump())
        clock.advance(.seconds(40))
        #expect(ui.settle(until: { !ui.state.findings.findings.isEmpty }))
        #expect(folded.settle(until: { !folded.state.findings.findings.isEmpty }))
        #expect(ui.pump() && folded.pump())
        Self.expectSameSeen(ui, folded)
    }
}
