import Foundation
import IdemCore
import IdemFakes
import IdemStore
import Testing

/// README.md's SQLite section is what other languages write from: its examples must read back as documented.
@Suite struct SQLiteFormatDocTests {
    typealias T = SQLiteTestSupport

    /// The SQL block under "One example row per event kind".
    static func exampleSQL() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let doc = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(doc.range(of: "#### One example row per event kind"))
        let rest = doc[section.upperBound...]
        let open = try #require(rest.range(of: "```sql\n"))
        let close = try #require(rest[open.upperBound...].range(of: "```"))
        return String(rest[open.upperBound..<close.lowerBound])
    }

    @Test func theExampleRowsReadBackAsDocumented() throws {
        let path = try T.tempDir() + "/doc.db"
        _ = try SQLiteWriter(path: path, create: true)
        let db = try SQLiteSchema.open(path: path, mode: .readWrite(create: false))
        try db.execute(try Self.exampleSQL())
        let (events, malformed) = try T.allEvents(path)
        #expect(malformed.isEmpty)
        #expect(events.map(\.label) == [
            "executed", "conflict", "completed", "replayed", "mismatch", "reexecuted", "failed", "purge", "replay",
        ])
        var ledger = Ledger()
        for e in events { ledger.apply(e) }
        let r = try #require(ledger.record(TokenKey(tenant: "acme", token: "order-1")))
        #expect(r.stored == .purged && r.version == 8 && r.executions == 2 && r.mismatches == 1)
        #expect(events[7].sawVersion == 7 && events[7].sawStatus == .failed)
        let detail = try SQLiteReader(path: path).detail(for: TokenKey(tenant: "acme", token: "order-1"))
        #expect(detail.timeline[0].request?.headers["Idempotency-Key"] == "order-1")
        #expect(detail.timeline[2].response?.status == 201)
    }

    /// A python3 writer following the documented protocol; idemtop reads what it wrote, bodies without headers too.
    @Test func aWriterInAnotherLanguage() throws {
        try #require(T.hasPython, "this test needs python3 with its sqlite3 module (apt-get install python3)")
        let path = try T.tempDir() + "/py.db"
        _ = try SQLiteWriter(path: path, create: true)
        let status = try T.runPython("""
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1], isolation_level=None)
            c.execute("PRAGMA busy_timeout=5000")
            now = 1795930206234
            c.execute("BEGIN IMMEDIATE")
            row = c.execute("SELECT status FROM idem_tokens WHERE tenant='py' AND token='t1'").fetchone()
            assert row is None
            req = '{"method":"POST","path":"/v1/charges","body":"{}"}'
            c.execute("INSERT INTO idem_events (at, kind, tenant, token, operation, fingerprint, outcome, expires_at, "
                      "locked_until, request) VALUES (?, 'request', 'py', 't1', 'op', 'fp', 'executed', ?, ?, ?)",
                      (now, now + 86400000, now + 60000, req))
            c.execute("INSERT INTO idem_tokens (tenant, token, operation, fingerprint, status, created_at, updated_at, "
                      "expires_at, locked_until, version, executions, request) "
                      "VALUES ('py', 't1', 'op', 'fp', 'in_progress', ?, ?, ?, ?, 1, 1, ?)",
                      (now, now, now + 86400000, now + 60000, req))
            c.execute("COMMIT")
            """, [path])
        #expect(status == 0)
        let detail = try SQLiteReader(path: path).detail(for: TokenKey(tenant: "py", token: "t1"))
        #expect(detail.request == StoredRequest(method: "POST", path: "/v1/charges", headers: [:], body: "{}"))
        #expect(detail.timeline.first?.request?.path == "/v1/charges")
        // The Swift writer carries on from the python row: a duplicate conflicts.
        let writer = try SQLiteWriter(path: path, clock: FixedClock(Instant(ms: 1_795_930_207_000)), create: false)
        #expect(try writer.begin(tenant: "py", token: "t1", operation: "op", fingerprint: Fingerprint("fp"),
                                 request: nil) == .conflict)
    }
}
