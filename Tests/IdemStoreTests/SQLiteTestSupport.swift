import Foundation
import IdemCore
import IdemProcess
import IdemStore

/// Helpers for the SQLite tests: temp directories, file snapshots, python3 helpers, small fixtures.
enum SQLiteTestSupport {
    /// One folder for every directory this test process makes, removed when the process exits.
    static let root: String = {
        let root = NSTemporaryDirectory() + "idemtop-sqlite-tests-\(getpid())"
        atexit { try? FileManager.default.removeItem(atPath: SQLiteTestSupport.root) }
        return root
    }()

    /// A new empty directory under `root`.
    static func tempDir(_ name: String = #function) throws -> String {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        let dir = root + "/\(safe)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A file's bytes and modification time, to prove a file was left alone.
    struct Snapshot: Equatable {
        var bytes: Data
        var modified: Date?
        init(_ path: String) throws {
            bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            modified = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
        }
    }

    /// The entries of a directory, sorted (to see which side files SQLite made).
    static func listing(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    }

    /// True when `python3` with its sqlite3 module runs here: the tests that use a second process need it.
    static let hasPython: Bool = {
        (try? runPython("import sqlite3", [])) == 0
    }()

    /// Waits for a process to exit; after `timeout` seconds terminates it and returns false.
    static func wait(_ p: RunningChild, timeout: TimeInterval) -> Bool {
        if p.wait(seconds: timeout) { return true }
        p.stop()
        return false
    }

    /// Runs `python3 -c script args…` and returns the running process, its stdout pipe attached.
    static func python(_ script: String, _ args: [String], stdout: Pipe? = nil) throws -> RunningChild {
        try RunningChild("/usr/bin/env", ["python3", "-u", "-c", script] + args, stdout: stdout.map { .pipe($0) } ?? .inherit)
    }

    /// Runs a python3 script to the end and returns its exit status.
    @discardableResult
    static func runPython(_ script: String, _ args: [String]) throws -> Int32 {
        try ChildProcess.run("/usr/bin/env", ["python3", "-u", "-c", script] + args).code
    }

    /// Reads lines from a pipe until `predicate` matches one (or the pipe ends).
    static func waitForLine(_ pipe: Pipe, where predicate: (String) -> Bool) -> String? {
        var buffer = Data()
        while true {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { return nil }
            buffer.append(chunk)
            let lines = String(decoding: buffer, as: UTF8.self).split(separator: "\n").map(String.init)
            if let hit = lines.first(where: predicate) { return hit }
        }
    }

    /// A request fixture whose fingerprint depends on `amount`.
    static func charge(_ amount: Int) -> (StoredRequest, Fingerprint) {
        let body = "{\"amount\":\(amount),\"currency\":\"eur\"}"
        let request = StoredRequest(method: "POST", path: "/v1/charges", headers: ["Idempotency-Key": "k"], body: body)
        return (request, Fingerprint.of(method: "POST", path: "/v1/charges", body: body))
    }

    /// Every event of a store, read with a fresh reader.
    static func allEvents(_ path: String) throws -> (events: [StoreEvent], malformed: [MalformedEntry]) {
        let reader = try SQLiteReader(path: path, mode: .readOnly)
        var events: [StoreEvent] = []
        var bad: [MalformedEntry] = []
        while try reader.poll(limit: 1000, { events.append($0) }, malformed: { bad.append($0) }) > 0 {}
        return (events, bad)
    }

    /// The token table as (key -> (status, version, executions)).
    static func tokenRows(_ path: String) throws -> [TokenKey: (String, Int64, Int64)] {
        let db = try SQLiteConnection(path: path, access: .readOnly)
        let s = try db.prepare("SELECT tenant, token, status, version, executions FROM idem_tokens")
        var rows: [TokenKey: (String, Int64, Int64)] = [:]
        while try s.step() {
            rows[TokenKey(tenant: s.text(0) ?? "", token: s.text(1) ?? "")] =
                (s.text(2) ?? "", s.int64(3) ?? -1, s.int64(4) ?? -1)
        }
        return rows
    }
}
