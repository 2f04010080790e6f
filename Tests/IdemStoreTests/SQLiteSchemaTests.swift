import Foundation
import IdemCore
import IdemFakes
import IdemStore
import Testing

/// Opening files: creating the schema, and refusing (untouched) what is not an idemtop store.
@Suite struct SQLiteSchemaTests {
    typealias T = SQLiteTestSupport

    @Test func createsTheSchemaInWALMode() throws {
        let dir = try T.tempDir()
        let path = dir + "/store.db"
        _ = try SQLiteWriter(path: path, clock: FixedClock("2026-11-29T06:00:00Z"), create: true)
        let db = try SQLiteConnection(path: path, access: .readOnly)
        let tables = try db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'index') ORDER BY name")
        var names: [String] = []
        while try tables.step() { names.append(tables.text(0) ?? "") }
        #expect(names.contains("idem_meta"))
        #expect(names.contains("idem_tokens"))
        #expect(names.contains("idem_events"))
        #expect(names.contains("idem_events_by_token"))
        let meta = try db.prepare("SELECT key, value FROM idem_meta ORDER BY key")
        var pairs: [String] = []
        while try meta.step() { pairs.append("\(meta.text(0) ?? "")=\(meta.text(1) ?? "")") }
        #expect(pairs == ["app=idemtop", "schema_version=2"])
        let mode = try db.prepare("PRAGMA journal_mode")
        #expect(try mode.step())
        #expect(mode.text(0) == "wal")
    }

    @Test func reopeningAStoreKeepsItsRows() throws {
        let path = try T.tempDir() + "/store.db"
        let (request, fp) = T.charge(10)
        do {
            let w = try SQLiteWriter(path: path, create: true)
            _ = try w.begin(tenant: "acme", token: "k1", operation: "POST /v1/charges", fingerprint: fp, request: request)
        }
        _ = try SQLiteWriter(path: path, create: true)
        #expect(try T.tokenRows(path).count == 1)
    }

    @Test func createsInAnEmptyFile() throws {
        let path = try T.tempDir() + "/empty.db"
        _ = FileManager.default.createFile(atPath: path, contents: Data())
        _ = try SQLiteWriter(path: path, create: true)
        #expect(try T.allEvents(path).events.isEmpty)
    }

    @Test func anotherAppsDatabaseIsRefusedAndLeftAlone() throws {
        let dir = try T.tempDir()
        let path = dir + "/other.db"
        do {
            let other = try SQLiteConnection(path: path, access: .create)
            try other.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users (name) VALUES ('ada');")
        }
        let before = try T.Snapshot(path)
        let filesBefore = T.listing(dir)
        Thread.sleep(forTimeInterval: 0.02)
        let expected = StoreError.notAStore(path: path, why: "no idem_meta table")
        #expect(throws: expected) { try SQLiteWriter(path: path, create: true) }
        #expect(throws: expected) { try SQLiteWriter(path: path, create: false) }
        #expect(throws: expected) { try SQLiteReader(path: path, mode: .readOnly) }
        #expect(throws: expected) { try SQLiteReader(path: path, mode: .readWrite(create: true)) }
        #expect(try T.Snapshot(path) == before)
        #expect(T.listing(dir) == filesBefore)
        #expect(expected.description == "\(path): not an idemtop store (no idem_meta table)")
    }

    @Test func aTextFileNamedDotDbIsAClearError() throws {
        let dir = try T.tempDir()
        let path = dir + "/x.db"
        try Data("hello, this is not a database\n".utf8).write(to: URL(fileURLWithPath: path))
        let before = try T.Snapshot(path)
        let expected = StoreError.notAStore(path: path, why: "not a SQLite database")
        #expect(throws: expected) { try SQLiteWriter(path: path, create: true) }
        #expect(throws: expected) { try SQLiteReader(path: path, mode: .readOnly) }
        #expect(try T.Snapshot(path) == before)
        #expect(T.listing(dir) == ["x.db"])
        #expect(expected.description == "\(path): not an idemtop store (not a SQLite database)")
    }

    @Test func pathsWithURICharactersOpenReadOnly() throws {
        let dir = try T.tempDir() + "/a dir?with#odd%20chars é"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/store?.db"
        _ = try SQLiteWriter(path: path, create: true)
        let reader = try SQLiteReader(path: path, mode: .readOnly)
        #expect(try reader.poll(limit: 10, { _ in }, malformed: { _ in }) == 0)
        #expect(T.listing(dir).first == "store?.db")
    }

    @Test func missingFilesAndDirectories() throws {
        let dir = try T.tempDir()
        #expect(throws: StoreError.notFound(dir + "/nope.db")) { try SQLiteReader(path: dir + "/nope.db") }
        #expect(throws: StoreError.notFound(dir + "/nope.db")) { try SQLiteWriter(path: dir + "/nope.db", create: false) }
        #expect(throws: StoreError.notAStore(path: dir, why: "it is a directory")) {
            try SQLiteWriter(path: dir, create: true)
        }
        #expect(T.listing(dir).isEmpty)
    }

    @Test(.enabled(if: geteuid() != 0, "root writes write-protected files"))
    func aWriteProtectedFileIsAClearErrorForAWriter() throws {
        let path = try T.tempDir() + "/store.db"
        _ = try SQLiteWriter(path: path, create: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: path)
        #expect(throws: StoreError.io(path: path, why: "the file is not writable")) {
            try SQLiteWriter(path: path, create: false)
        }
        _ = try SQLiteReader(path: path, mode: .readOnly)
    }

    /// Run as a user other than root (root writes anywhere), e.g. `runuser -u nobody -- …xctest --filter …`.
    @Test(.enabled(if: geteuid() != 0, "root writes read-only directories"))
    func aStoreInADirectoryWeCannotWriteIsReadAsASnapshot() throws {
        let dir = try T.tempDir()
        let path = dir + "/store.db"
        do {
            let w = try SQLiteWriter(path: path, create: true)
            _ = try w.begin(tenant: "a", token: "t", operation: "op", fingerprint: Fingerprint("f"), request: nil)
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: dir)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir) }
        let reader = try SQLiteReader(path: path, mode: .readOnly)
        var tokens: [String] = []
        _ = try reader.poll(limit: 10, { tokens.append($0.token) }, malformed: { _ in })
        #expect(tokens == ["t"])
        let notices = reader.drainNotices()
        #expect(notices.count == 1 && notices[0].contains("snapshot"))
        #expect(T.listing(dir) == ["store.db"])
    }

    @Test func readOnlyRefusesWritesAndLeavesTheFileAlone() throws {
        let dir = try T.tempDir()
        let path = dir + "/store.db"
        let (request, fp) = T.charge(10)
        do {
            let w = try SQLiteWriter(path: path, create: true)
            if case .execute(let ticket, _) = try w.begin(
                tenant: "acme", token: "k1", operation: "POST /v1/charges", fingerprint: fp, request: request) {
                try w.complete(ticket, response: StoredResponse(status: 201, body: "{\"id\":\"ch_1\"}"))
            }
        }
        let before = try T.Snapshot(path)
        Thread.sleep(forTimeInterval: 0.02)
        let reader = try SQLiteReader(path: path, mode: .readOnly)
        var seen = 0
        _ = try reader.poll(limit: 100, { _ in seen += 1 }, malformed: { _ in })
        #expect(seen == 2)
        #expect(try reader.detail(for: TokenKey(tenant: "acme", token: "k1")).response?.status == 201)
        let raw = try SQLiteSchema.open(path: path, mode: .readOnly)
        #expect(throws: StoreError.self) {
            try raw.execute("INSERT INTO idem_meta (key, value) VALUES ('x', 'y')")
        }
        do {
            try raw.execute("DELETE FROM idem_events")
            Issue.record("a write on a read-only connection succeeded")
        } catch let error as StoreError {
            guard case .readOnly = error else { Issue.record("expected .readOnly, got \(error)"); return }
        }
        #expect(try T.Snapshot(path) == before)
    }
}
