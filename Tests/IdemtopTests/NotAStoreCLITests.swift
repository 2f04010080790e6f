import Foundation
import Testing

/// Input that is not a store, through the real binary: every command exits 1 with one line, never a green report,
/// never a hang, never an overwrite.
@Suite(.serialized) struct NotAStoreCLITests {
    /// Every command on `store`, each a way a cron job or an operator could point idemtop at the wrong file.
    static func everyCommand(_ store: String) -> [[String]] {
        [["list", store], ["stats", store], ["show", store, "t1"], ["audit", store, "--fail-on", "low"],
         ["purge", store, "--status", "stuck", "--reason", "r", "--yes"], ["tail", store],
         ["replay", store, "t1", "--target", "http://127.0.0.1:9", "--dry-run"], [store], ["ui", store]]
    }

    /// Runs `args`, killed if it outlives a generous deadline: a hang fails the test instead of stalling it. 180 s: an
    /// empty journal's `audit` (0.17 s alone) once outlived 60 s in a whole run at load average 20.
    func run(_ args: [String], environment: [String: String] = [:]) throws -> CLIRunner.Result {
        try CLIRunner.run(args, environment: environment, timeout: 180)
    }

    func expectOneLine(_ r: CLIRunner.Result, _ message: String, _ args: [String],
                       sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!r.timedOut, "\(args) hung", sourceLocation: sourceLocation)
        #expect(r.code == 1, "\(args): \(r.code) \(r.stdout) \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr == "idemtop: \(message)\n", "\(args)", sourceLocation: sourceLocation)
        #expect(r.stdout.isEmpty, "\(args): \(r.stdout)", sourceLocation: sourceLocation)
    }

    @Test func aTextFileNamedLikeAJournalFailsEveryCommand() throws {
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("notes.jsonl").path
        try Data("Remember: \u{1b}[2J rotate the keys\nand call Bob\n".utf8).write(to: URL(fileURLWithPath: store))
        let before = try Data(contentsOf: URL(fileURLWithPath: store))
        let message = "\(store): not an idemtop journal: 0 of 2 lines are events (first at 1: not JSON: the line is "
            + #"not an object: Remember: \x1b[2J rotate the keys)"#
        for args in Self.everyCommand(store) + [["simulate", store, "--events", "10"]] {
            expectOneLine(try run(args), message, args)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: store)) == before, "simulate left the file alone")
    }

    @Test func anEmptyFileIsStillAnEmptyStore() throws {
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("empty.jsonl").path
        #expect(FileManager.default.createFile(atPath: store, contents: nil))
        let audit = try run(["audit", store, "--fail-on", "low"])
        #expect(audit.code == 0, "\(audit.stderr)")
        let stats = try run(["stats", store, "--format", "json"])
        #expect(stats.code == 0 && stats.stderr.isEmpty, "\(stats.stderr)")
    }

    @Test(arguments: ["pipe.jsonl", "pipe.db"])
    func aFIFOIsRefusedByEveryCommandWithoutHanging(_ name: String) throws {
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent(name).path
        #expect(mkfifo(store, 0o644) == 0)
        for args in Self.everyCommand(store) + [["simulate", store, "--events", "10"]] {
            expectOneLine(try run(args), "\(store): not a regular file (a FIFO)", args)
        }
    }

    @Test func aDeviceIsRefused() throws {
        for store in ["journal:/dev/zero", "sqlite:/dev/zero"] {
            for args in [["stats", store], ["simulate", store, "--events", "10"], [store]] {
                expectOneLine(try run(args), "/dev/zero: not a regular file (a character device)", args)
            }
        }
    }

    @Test func simulateNeverOverwritesADamagedSQLiteStore() throws {
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("good.db").path
        #expect(try run(["simulate", good, "--events", "50"]).code == 0)
        let cut = dir.appendingPathComponent("cut.db").path
        try Data(try Data(contentsOf: URL(fileURLWithPath: good)).prefix(1)).write(to: URL(fileURLWithPath: cut))
        let before = try Data(contentsOf: URL(fileURLWithPath: cut))
        let r = try run(["simulate", cut, "--events", "50"])
        #expect(r.code == 1, "\(r.stdout) \(r.stderr)")
        #expect(r.stderr.hasPrefix("idemtop: \(cut): not an idemtop store (1 bytes with no tables"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: cut)) == before, "the damaged file's bytes are untouched")
    }

    @Test func aBrokenConfigStopsEveryCommand() throws {
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let folder = dir.appendingPathComponent("idemtop")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let config = folder.appendingPathComponent("config.toml")
        try Data("refresh_ms = fast\n".utf8).write(to: config)
        let store = dir.appendingPathComponent("s.jsonl").path
        let env = ["XDG_CONFIG_HOME": dir.path]
        let message = "config.toml:1: 'refresh_ms': wants a whole number from 10 to 5000 (\(config.path))"
        for args in Self.everyCommand(store) + [["simulate", store, "--events", "10"]] {
            expectOneLine(try run(args, environment: env), message, args)
        }
        #expect(!FileManager.default.fileExists(atPath: store), "simulate wrote nothing")
    }

    @Test func argumentErrorsSayWhatIsWrong() throws {
        let bogus = try run(["--bogus"])
        #expect(bogus.code == 2)
        #expect(bogus.stderr.contains("Unknown option '--bogus'"), "\(bogus.stderr)")
        #expect(!bogus.stderr.contains("Missing expected argument"), "\(bogus.stderr)")
        let bogusStore = try run(["--bogus", "x.jsonl"])
        #expect(bogusStore.code == 2 && bogusStore.stderr.contains("Unknown option '--bogus'"), "\(bogusStore.stderr)")
        let limit = try run(["list", "x.jsonl", "--limit", "-3"])
        #expect(limit.code == 2)
        #expect(limit.stderr.contains("--limit must be >= 0, not -3"), "\(limit.stderr)")
        let events = try run(["simulate", "x.jsonl", "--events", "-3"])
        #expect(events.code == 2 && events.stderr.contains("--events must be positive"), "\(events.stderr)")
        let interval = try run(["tail", "x.jsonl", "--interval", "-5"])
        #expect(interval.code == 2 && interval.stderr.contains("--interval must be 1 to 5000 ms"), "\(interval.stderr)")
    }
}
