import Foundation
import Testing

/// Stores the user may read but not write: the real binary run as a user without write access. As root (CI runs as
/// root, and root writes anything) it runs as `nobody` through `runuser`; as anyone else, as that user.
@Suite(.serialized) struct PermissionTests {
    static let stores = ["journal.jsonl", "store.db"]

    /// A folder everyone may enter, for the stores and a copy of the binary: the checkout (or TMPDIR) may sit
    /// under a home that `nobody` cannot reach. Removed when the test process exits.
    static let shared: String = {
        let dir = "/tmp/idemtop-permissions-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                                 attributes: [.posixPermissions: 0o755])
        atexit { try? FileManager.default.removeItem(atPath: PermissionTests.shared) }
        return dir
    }()

    /// The built binary, copied where `nobody` can run it (its Swift libraries are found by absolute path).
    ///
    /// Written through a close-on-exec descriptor to a temporary name, then renamed: a child another test forks
    /// meanwhile must not keep the copy open for writing, or running it fails with ETXTBSY ("Text file busy").
    static let binaryCopy: String? = {
        let copy = PermissionTests.shared + "/idemtop"
        if !FileManager.default.fileExists(atPath: copy), let bytes = FileManager.default.contents(atPath: CLIRunner.binary.path) {
            let partial = copy + ".partial"
            let fd = open(partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
            if fd >= 0 {
                let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                close(fd)
                if written == bytes.count { rename(partial, copy) }
            }
        }
        return FileManager.default.isExecutableFile(atPath: copy) ? copy : nil
    }()

    /// Runs `idemtop args` as a user who cannot write what root made: `nobody` when we are root.
    func runUnprivileged(_ args: [String]) throws -> CLIRunner.Result {
        guard geteuid() == 0 else { return try CLIRunner.run(args) }
        let runuser = "/usr/sbin/runuser"
        guard FileManager.default.isExecutableFile(atPath: runuser), let binary = PermissionTests.binaryCopy else {
            let why = "as root these tests run the binary as nobody: they need runuser (util-linux) and a copy of the "
                + "binary in \(PermissionTests.shared)"
            Issue.record(Comment(rawValue: why))
            return CLIRunner.Result(code: -1, stdout: "", stderr: "")
        }
        return try CLIRunner.run(["-u", "nobody", "--", binary] + args, executable: runuser)
    }

    /// Starts `idemtop args` in the background as that same user, its output collected line by line.
    func startUnprivileged(_ args: [String]) throws -> CLIRunner.Background {
        guard geteuid() == 0 else { return try CLIRunner.start(args) }
        guard let binary = PermissionTests.binaryCopy else {
            Issue.record("as root this test runs the binary as nobody: it needs a copy in \(PermissionTests.shared)")
            return try CLIRunner.start(args)
        }
        return try CLIRunner.start(["-u", "nobody", "--", binary] + args, executable: "/usr/sbin/runuser")
    }

    /// Sends SIGTERM to idemtop itself: to runuser's child when run through it (runuser answers a SIGTERM of its
    /// own by killing the session and saying so on stderr).
    func terminate(_ p: Process) {
        let children = (try? String(contentsOfFile: "/proc/\(p.processIdentifier)/task/\(p.processIdentifier)/children",
                                    encoding: .utf8)) ?? ""
        let pids = children.split(separator: " ").compactMap { Int32($0) }
        if p.executableURL?.lastPathComponent == "runuser" && !pids.isEmpty {
            for pid in pids { kill(pid, SIGTERM) }
        } else {
            p.terminate()
        }
    }

    /// A simulated store in a fresh folder that everyone may enter and read.
    func store(_ name: String) throws -> (dir: URL, path: String) {
        let dir = URL(fileURLWithPath: PermissionTests.shared).appendingPathComponent("store-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        let path = dir.appendingPathComponent(name).path
        let sim = try CLIRunner.run(["simulate", path, "--events", "200", "--seed", "4", "--start", CLITests.start])
        #expect(sim.code == 0, "\(sim.stderr)")
        return (dir, path)
    }

    func firstToken(_ path: String) throws -> (token: String, tenant: String) {
        let list = try CLIRunner.run(["list", path, "--format", "json", "--limit", "1"])
        let items = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        let item = try #require(items.first)
        return (try #require(item["token"] as? String), try #require(item["tenant"] as? String))
    }

    /// A write-protected store: reading works; purge and replay are one line, before anything is printed or
    /// sent, and the file is left as it was.
    @Test(arguments: stores)
    func aWriteProtectedStoreIsReadAndActionsAreOneLine(_ name: String) throws {
        let (dir, path) = try store(name)
        defer { try? FileManager.default.removeItem(at: dir) }
        let (token, tenant) = try firstToken(path)
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: path)
        let before = try ActionsCLITests.Snapshot(path)
        let listing = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()

        let stats = try runUnprivileged(["stats", path, "--format", "json"])
        #expect(stats.code == 0, "\(stats.stderr)")
        #expect(stats.stdout.contains("\"tokens\""))
        for args in [["purge", path, token, "--tenant", tenant, "--reason", "r", "--yes"],
                     ["replay", path, token, "--tenant", tenant, "--target", "http://127.0.0.1:9", "--yes"]] {
            let r = try runUnprivileged(args)
            #expect(r.code == 1, "\(args[0]) exit \(r.code): \(r.stderr)")
            #expect(r.stdout.isEmpty, "\(args[0]) printed before it refused:\n\(r.stdout)")
            let lines = r.stderr.split(separator: "\n")
            #expect(lines.count == 1 && (r.stderr.contains("not writable") || r.stderr.contains("ermission denied")),
                    "\(args[0]): \(r.stderr)")
        }
        #expect(try ActionsCLITests.Snapshot(path) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == listing)
    }

    /// A SQLite store in a folder the user cannot write (no -wal or -shm can be made): read as a snapshot.
    @Test func aSQLiteStoreInAFolderWeCannotWriteIsRead() throws {
        let (dir, path) = try store("store.db")
        defer {
            try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path)
            try? FileManager.default.removeItem(at: dir)
        }
        let all = try CLIRunner.run(["list", path, "--format", "jsonl", "--at", CLITests.end])
        // A reader leaves an empty -wal and the -shm behind (a read-only connection does not delete them); with
        // no connection open and the WAL empty, they can go, so that none exists and none can be made.
        let wal = try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int
        #expect(wal == 0)
        try FileManager.default.removeItem(atPath: path + "-wal")
        try FileManager.default.removeItem(atPath: path + "-shm")
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: dir.path)
        let r = try runUnprivileged(["list", path, "--format", "jsonl", "--at", CLITests.end])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stdout == all.stdout && !r.stdout.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["store.db"])
    }

    /// `tail` on a SQLite store in a folder it cannot write, with no writer running: SQLite can only open it as a
    /// snapshot. The tail says so once on stderr, and still shows what writers add later (two writer sessions).
    @Test func tailOnASQLiteStoreInAFolderItCannotWriteFollowsIt() throws {
        let (dir, path) = try store("store.db")
        defer {
            try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path)
            try? FileManager.default.removeItem(at: dir)
        }
        // As above: no -wal or -shm (the writer removed them when it closed the store), and none can be made.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["store.db"])
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: dir.path)
        let tail = try startUnprivileged(["tail", path, "--format", "jsonl"])
        let (p, out, err) = (tail.process, tail.out, tail.err)
        defer { if p.isRunning { p.terminate() } }
        // The notice comes once the tail has read past what the store held.
        #expect(eventually(60) { !err.lines.isEmpty }, "no notice on stderr")
        #expect(err.lines.count == 1 && err.lines[0].contains("snapshot"), "\(err.lines)")
        // A writer who may write the folder (root; anyone else opens it for the writer): 20 events, twice.
        for (round, seed) in [(1, 31), (2, 32)] {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path)
            let sim = try CLIRunner.run(["simulate", path, "--events", "20", "--seed", "\(seed)",
                                         "--start", CLITests.start])
            #expect(sim.code == 0, "\(sim.stderr)")
            try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: dir.path)
            #expect(eventually(60) { out.lines.count >= 20 * round }, "round \(round): \(out.lines.count) lines")
        }
        terminate(p)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        #expect(out.lines.count == 40, "each event once")
        #expect(err.lines.count == 1, "\(err.lines)")
    }
}
