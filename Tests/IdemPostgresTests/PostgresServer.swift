import Foundation
import IdemCore
import IdemPostgres
import IdemProcess
import IdemTestSupport

/// A throwaway PostgreSQL 15 cluster for one test run: `initdb` in a temporary folder, the server on a free
/// loopback port with its unix socket in that folder, run as `nobody` through `runuser` when we are root (the
/// server refuses to run as root), stopped with `pg_ctl stop -m immediate` when the test process exits.
final class PostgresServer: Sendable {
    static let bin = "/usr/lib/postgresql/15/bin"
    static let user = "idem", password = "s3cret"
    /// The one cluster most tests share; tests that restart a server make their own.
    static let shared: Result<PostgresServer, HarnessError> = Result { try PostgresServer() }.mapError {
        $0 as? HarnessError ?? HarnessError("\($0)")
    }
    static func get() throws -> PostgresServer { try shared.get() }

    let dir: String
    let port: Int
    private let children = Locked<[RunningChild]>([])
    var data: String { dir + "/data" }

    init() throws {
        for tool in ["initdb", "pg_ctl", "postgres"] where !FileManager.default.isExecutableFile(atPath: "\(PostgresServer.bin)/\(tool)") {
            throw HarnessError("\(PostgresServer.bin)/\(tool) is missing: apt-get install postgresql (the tests need the real server)")
        }
        var template = Array("/tmp/idemtop-pg-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw HarnessError("mkdtemp failed") }
        dir = String(cString: made)
        port = try PostgresServer.freePort()
        let pwfile = dir + "/pw"
        try PostgresServer.password.write(toFile: pwfile, atomically: true, encoding: .utf8)
        if getuid() == 0 {
            // /tmp is world-searchable; the folder becomes nobody's own.
            guard chown(dir, 65534, 65534) == 0, chown(pwfile, 65534, 65534) == 0 else {
                throw HarnessError("chown nobody \(dir) failed")
            }
        }
        let initdb = try PostgresServer.asServerUser("\(PostgresServer.bin)/initdb",
            ["-D", data, "-U", PostgresServer.user, "--pwfile=\(pwfile)", "--auth-local=trust",
             "--auth-host=scram-sha-256", "-E", "UTF8", "--no-sync", "--locale=C.UTF-8"])
        guard initdb.code == 0 else { throw HarnessError("initdb failed: \(initdb.stderrText)") }
        try start()
        let dir = self.dir, data = self.data
        PostgresServer.atExit.withLock { $0.append("\(data)|\(dir)") }
        PostgresServer.registerExitHook()
    }

    /// Starts the server as a child process (not through `pg_ctl start`, whose daemon would keep Foundation's
    /// `Process` from seeing pg_ctl end) and waits until it accepts connections.
    func start() throws {
        var args = ["\(PostgresServer.bin)/postgres", "-D", data, "-p", "\(port)", "-k", dir,
                    "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=60"]
        let log = FileHandle(forWritingAtPath: dir + "/server.log") ?? {
            FileManager.default.createFile(atPath: dir + "/server.log", contents: nil)
            return FileHandle(forWritingAtPath: dir + "/server.log")
        }()
        if getuid() == 0 { args = ["/usr/sbin/runuser", "-u", "nobody", "--"] + args }
        let output: RunningChild.Output = log.map { .file($0) } ?? .discard
        let child = try RunningChild(args[0], Array(args.dropFirst()), stdout: output, stderr: output)
        children.withLock { $0.append(child) }
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            if (try? PGConnection(conninfo: url("").replacingOccurrences(of: "?", with: ""))) != nil { return }
            guard child.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let text = (try? String(contentsOfFile: dir + "/server.log", encoding: .utf8)) ?? ""
        throw HarnessError("postgres did not start on port \(port): \(text.suffix(2000))")
    }

    /// Stops the server (immediate: the clients' connections break, as when a server crashes or restarts).
    func stop() throws {
        _ = try PostgresServer.asServerUser("\(PostgresServer.bin)/pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"])
        for c in children.withLock({ list -> [RunningChild] in defer { list.removeAll() }; return list }) {
            _ = c.wait(seconds: 30)
        }
    }

    /// A libpq URI for `db` as the test user (password in the URI), with idemtop's `options`.
    func url(_ options: String, db: String = "postgres", password: String = PostgresServer.password) -> String {
        "postgres://\(PostgresServer.user):\(password)@127.0.0.1:\(port)/\(db)?\(options)"
    }

    /// The DSN psycopg connects with.
    var dsn: String { "host=127.0.0.1 port=\(port) user=\(PostgresServer.user) password=\(PostgresServer.password) dbname=postgres" }

    /// Runs SQL as the superuser (setting up a table, a lock, a restart's check).
    @discardableResult
    func sql(_ statement: String, _ params: [String?] = []) throws -> PGRows {
        let c = try PGConnection(conninfo: url("").replacingOccurrences(of: "?", with: ""))
        return try c.query(statement, params)
    }

    /// A fresh database for one test, so tests running side by side never see each other's tables.
    func database(_ name: String) throws -> String {
        try sql("DROP DATABASE IF EXISTS \(name)")
        try sql("CREATE DATABASE \(name)")
        return name
    }

    func dsn(_ db: String) -> String { dsn.replacingOccurrences(of: "dbname=postgres", with: "dbname=\(db)") }

    private static func asServerUser(_ tool: String, _ args: [String]) throws -> ChildProcess.Outcome {
        if getuid() == 0 {
            return try ChildProcess.run("/usr/sbin/runuser", ["-u", "nobody", "--", tool] + args, timeout: 180)
        }
        return try ChildProcess.run(tool, args, timeout: 180)
    }

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0
            }
        }
        guard ok else { throw HarnessError("no free port") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    private static let atExit = Locked<[String]>([])
    private static let hooked = Locked(false)
    private static func registerExitHook() {
        let first = hooked.withLock { done -> Bool in defer { done = true }; return !done }
        guard first else { return }
        atexit {
            for entry in PostgresServer.atExit.value {
                let parts = entry.split(separator: "|").map(String.init)
                _ = try? PostgresServer.asServerUser("\(PostgresServer.bin)/pg_ctl", ["-D", parts[0], "-m", "immediate", "-w", "stop"])
                try? FileManager.default.removeItem(atPath: parts[1])
            }
        }
    }
}

/// psycopg 3 in a virtual environment under `.build/`, and the driver that writes rows with each preset's own SQL.
enum PresetDriver {
    static let venv = PythonVenv(name: "psycopg-venv", packages: ["psycopg==3.3.9"], modules: ["psycopg"])
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/preset_driver.py").path

    /// Runs the driver with `spec`; returns one JSON object per line it printed.
    static func run(_ spec: [String: Any]) throws -> [[String: Any]] {
        try venv.ensure()
        let r = try PythonVenv.run(venv.python, [script], input: try JSONSerialization.data(withJSONObject: spec))
        guard r.code == 0 else { throw HarnessError("preset driver failed (\(r.code)): \(r.err)") }
        return r.out.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    /// Starts the driver and returns once it printed its first line (it holds a lock until killed).
    static func start(_ spec: [String: Any]) throws -> (RunningChild, String) {
        try venv.ensure()
        let specFile = NSTemporaryDirectory() + "spec-\(UUID().uuidString).json"
        try JSONSerialization.data(withJSONObject: spec).write(to: URL(fileURLWithPath: specFile))
        let out = Pipe().closeOnExec()
        let child = try RunningChild(venv.python, [script, specFile], stdout: .pipe(out), stderr: .inherit)
        var line = Data()
        while true {
            let byte = out.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line += byte
        }
        return (child, String(decoding: line, as: UTF8.self))
    }
}
