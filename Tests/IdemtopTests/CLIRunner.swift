import Foundation
import IdemProcess
import Testing

/// Runs the built `idemtop` binary and captures what it prints: the CLI tests exercise the real executable.
struct CLIRunner {
    struct Result {
        var code: Int32
        var stdout: String
        var stderr: String
        /// True when the run outlived its `timeout` and was killed.
        var timedOut = false
        /// The bytes as written (a test of what reaches a terminal reads them, not the decoded text).
        var stdoutData = Data()
        var stderrData = Data()
    }

    /// The cache folder every run gets (`XDG_CACHE_HOME`, unless the test passes its own): never the real home's.
    static let cacheHome = FileManager.default.temporaryDirectory.path + "/idemtop-cli-cache-\(getpid())"

    /// The binary beside the test bundle (`swift build` puts both in the same folder).
    static var binary: URL {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("idemtop")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/idemtop")
    }

    /// Runs `idemtop args` (or `executable args`) to completion through the one runner, or stops it after
    /// `timeout` seconds: for cases that used to hang, so the test fails instead of waiting forever.
    static func run(_ args: [String], environment: [String: String] = [:], executable: String? = nil,
                    timeout: Double? = nil) throws -> Result {
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        env["XDG_CACHE_HOME"] = cacheHome
        for (k, v) in environment { env[k] = v }
        do {
            let o = try ChildProcess.run(executable ?? binary.path, args, environment: env, timeout: timeout)
            return Result(code: o.code, stdout: o.stdoutText, stderr: o.stderrText, stdoutData: o.stdout,
                          stderrData: o.stderr)
        } catch ChildProcess.Failure.timedOut {
            return Result(code: -1, stdout: "", stderr: "", timedOut: true)
        }
    }

    /// A running `idemtop args` (or `executable args`), what it prints collected line by line.
    struct Background {
        var process: Process
        var out: LineCollector
        var err: LineCollector
    }

    /// Starts `idemtop args` (or `executable args`) in the background; the caller ends it.
    static func start(_ args: [String], executable: String? = nil) throws -> Background {
        let (p, out, err) = try launch(args, environment: [:], executable: executable)
        return Background(process: p, out: LineCollector(out.fileHandleForReading),
                          err: LineCollector(err.fileHandleForReading))
    }

    /// Starts the process with `NO_COLOR=1` and `environment`, stdin empty, stdout and stderr on pipes.
    private static func launch(_ args: [String], environment: [String: String],
                               executable: String?) throws -> (Process, Pipe, Pipe) {
        let p = Process()
        p.executableURL = executable.map { URL(fileURLWithPath: $0) } ?? binary
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        env["XDG_CACHE_HOME"] = cacheHome
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let out = Pipe().closeOnExec(), err = Pipe().closeOnExec()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return (p, out, err)
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
