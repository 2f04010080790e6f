import Foundation
import IdemProcess
import Testing

/// Runs the built `idemtop` binary and captures what it prints: the CLI tests exercise the real executable.
struct CLIRunner {
    struct Result {
        var code: Int32
        var stdout: String
        var stderr: String
    }

    /// The binary beside the test bundle (`swift build` puts both in the same folder).
    static var binary: URL {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("idemtop")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/idemtop")
    }

    /// Runs `idemtop args` (or `executable args`) to completion.
    static func run(_ args: [String], environment: [String: String] = [:], executable: String? = nil) throws -> Result {
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        for (k, v) in environment { env[k] = v }
        let outcome = try ChildProcess.run(executable ?? binary.path, args, environment: env)
        return Result(code: outcome.code, stdout: outcome.stdoutText, stderr: outcome.stderrText)
    }

    /// A fresh temporary folder, removed by the caller.
    static func tempDir(_ name: String = #function) throws -> URL {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("idemtop-cli-\(name.filter(\.isLetter))-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}

/// Polls `condition` until it holds or `seconds` pass: end-to-end tests wait for conditions, never fixed sleeps.
func eventually(_ seconds: Double = 10, every: Double = 0.02, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: every)
    }
    return try condition()
}
