import Foundation
import IdemCore
import IdemFakes
import IdemStore
import Testing

/// Text from a hostile store never reaches a terminal raw: every command and format of the real binary, over a real
/// journal whose every field of every event kind (and two malformed lines) holds escape sequences, C1, BEL, DEL and
/// bidi overrides.
@Suite(.serialized) struct HostileTextTests {
    /// The journal: the hostile events as the writer encodes them, then lines no reader can read.
    func journal(_ dir: URL) throws -> String {
        let path = dir.appendingPathComponent("hostile.jsonl").path
        let start = SystemClock().now() - .minutes(10)
        var bytes: [UInt8] = []
        for e in HostileText.events(start: start) { bytes += EventLineEncoder.encode(e) }
        for line in HostileText.malformedLines { bytes += Array(line.utf8) + [10] }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func expectSafe(_ bytes: Data, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let found = HostileText.unsafe(Array(bytes))
        #expect(found.isEmpty, "\(what): \(found.prefix(5)) in\n\(String(decoding: bytes, as: UTF8.self))",
                sourceLocation: sourceLocation)
    }

    @Test func everyCommandAndFormatKeepsHostileTextFromTheTerminal() throws {
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try journal(dir)
        let key = ["--tenant", HostileText.tenant]
        let runs: [[String]] = [
            ["list", store], ["list", store, "--format", "json"], ["list", store, "--format", "jsonl"],
            ["list", store, "--format", "csv"],
            ["show", store, HostileText.token] + key, ["show", store, HostileText.token] + key + ["--format", "json"],
            ["stats", store], ["audit", store], ["audit", store, "--format", "json"],
            ["purge", store, "--status", "expired", "--reason", HostileText.value("W"), "--dry-run"],
            ["purge", store, "--status", "expired", "--reason", HostileText.value("W"), "--dry-run", "--format", "json"],
            ["replay", store, HostileText.token] + key + ["--target", "http://127.0.0.1:9", "--dry-run"],
            ["replay", store, HostileText.token] + key + ["--target", "http://127.0.0.1:9", "--dry-run", "--format", "json"],
        ]
        for args in runs {
            let r = try CLIRunner.run(args)
            let name = args.filter { $0 != store && !$0.contains("\u{1b}") }.joined(separator: " ")
            #expect(r.code == 0 || r.code == 4, "\(name): exit \(r.code): \(r.stderr)")
            expectSafe(r.stdoutData, "\(name) stdout")
            expectSafe(r.stderrData, "\(name) stderr")
            // The hostile text was printed, made visible: the test sees the fields it guards.
            #expect(args[0] == "stats" || r.stdout.contains("[2J"), "\(name) prints the hostile fields:\n\(r.stdout)")
            if args == ["list", store] {
                #expect(r.stderr.contains("malformed") && r.stderr.contains("\\x1b[2J"), "the warning echoes the line: \(r.stderr)")
            }
        }
        for format in ["table", "jsonl"] {
            let (out, err) = try tail(store, format: format)
            expectSafe(out, "tail --format \(format) stdout")
            expectSafe(err, "tail --format \(format) stderr")
        }
    }

    /// `tail --from-start` until it printed every event and both malformed lines, then stopped.
    func tail(_ store: String, format: String) throws -> (Data, Data) {
        let p = Process()
        p.executableURL = CLIRunner.binary
        p.arguments = ["tail", store, "--from-start", "--format", format]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let lines = LineCollector(out.fileHandleForReading)
        let errors = LineCollector(err.fileHandleForReading)
        let events = HostileText.events(start: Instant(ms: 0)).count
        #expect(eventually(20) { lines.lines.count >= events && errors.lines.count >= HostileText.malformedLines.count },
                "tail --format \(format) printed \(lines.lines.count) lines, \(errors.lines.count) warnings")
        p.terminate()
        p.waitUntilExit()
        let stdout = Data(lines.lines.joined(separator: "\n").utf8)
        #expect(String(decoding: stdout, as: UTF8.self).contains("[2J"))
        return (stdout, Data(errors.lines.joined(separator: "\n").utf8))
    }
}
