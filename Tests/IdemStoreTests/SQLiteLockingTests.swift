import Foundation
import IdemCore
import IdemFakes
import IdemStore
import Testing

/// Another connection holding the write lock: the writer waits up to its busy timeout, then fails with one line.
@Suite struct SQLiteLockingTests {
    typealias T = SQLiteTestSupport

    static func integrityOK(_ path: String) throws -> Bool {
        let db = try SQLiteConnection(path: path, access: .readOnly)
        let s = try db.prepare("PRAGMA integrity_check")
        return try s.step() && s.text(0) == "ok"
    }

    @Test func aSecondConnectionHoldingBeginExclusive() throws {
        let path = try T.tempDir() + "/store.db"
        let writer = try SQLiteWriter(path: path, create: true, busyTimeout: 300)
        let (request, fp) = T.charge(1)
        _ = try writer.begin(tenant: "acme", token: "before", operation: "op", fingerprint: fp, request: request)
        let other = try SQLiteConnection(path: path, access: .readWrite)
        try other.execute("BEGIN EXCLUSIVE")
        let started = Date()
        #expect(throws: StoreError.locked(path: path)) {
            try writer.begin(tenant: "acme", token: "k1", operation: "op", fingerprint: fp, request: request)
        }
        let waited = Date().timeIntervalSince(started)
        #expect(waited >= 0.25)
        #expect(!StoreError.locked(path: path).description.contains("\n"))
        try other.execute("ROLLBACK")
        #expect(try writer.begin(tenant: "acme", token: "k1", operation: "op", fingerprint: fp, request: request)
                    == .execute(Ticket(key: TokenKey(tenant: "acme", token: "k1"), execution: 1), reexecuted: false))
        #expect(try T.allEvents(path).events.map(\.token) == ["before", "k1"])
        #expect(try Self.integrityOK(path))
    }

    /// python3 holds `BEGIN EXCLUSIVE` for 1.5 s: a writer with a 400 ms timeout fails with `.locked`; one with the
    /// default 5 s waits and succeeds once the lock is released; nothing half-written is left.
    @Test func anotherProcessHoldingTheLock() throws {
        try #require(T.hasPython, "this test needs python3 with its sqlite3 module (apt-get install python3)")
        let path = try T.tempDir() + "/store.db"
        let writer = try SQLiteWriter(path: path, create: true, busyTimeout: 400)
        let (request, fp) = T.charge(1)
        _ = try writer.begin(tenant: "acme", token: "before", operation: "op", fingerprint: fp, request: request)
        let out = Pipe()
        let python = try T.python("""
            import sqlite3, sys, time
            c = sqlite3.connect(sys.argv[1], isolation_level=None)
            c.execute("BEGIN EXCLUSIVE")
            c.execute("INSERT INTO idem_meta (key, value) VALUES ('scratch', 'rolled back')")
            print("locked", flush=True)
            time.sleep(1.5)
            c.execute("ROLLBACK")
            print("released", flush=True)
            """, [path], stdout: out)
        defer { if python.isRunning { python.stop() } }
        #expect(T.waitForLine(out, where: { $0 == "locked" }) != nil)
        let started = Date()
        do {
            _ = try writer.begin(tenant: "acme", token: "k1", operation: "op", fingerprint: fp, request: request)
            Issue.record("begin succeeded while another process held the lock")
        } catch let error as StoreError {
            #expect(error == .locked(path: path))
            #expect(error.description == "\(path): the database is locked by another process; try again")
        }
        let waited = Date().timeIntervalSince(started)
        #expect(waited >= 0.35 && waited < 1.4)
        let patient = try SQLiteWriter(path: path, create: false)
        let result = try patient.begin(tenant: "acme", token: "k1", operation: "op", fingerprint: fp, request: request)
        #expect(Date().timeIntervalSince(started) >= 1.0)
        #expect(result == .execute(Ticket(key: TokenKey(tenant: "acme", token: "k1"), execution: 1), reexecuted: false))
        #expect(T.wait(python, timeout: 30))
        #expect(python.exitCode == 0)
        #expect(try T.allEvents(path).events.map(\.token) == ["before", "k1"])
        #expect(try T.tokenRows(path).count == 2)
        #expect(try Self.integrityOK(path))
        print("SQLite lock: .locked after \(String(format: "%.0f", waited * 1000)) ms with busy_timeout 400 ms")
    }
}
