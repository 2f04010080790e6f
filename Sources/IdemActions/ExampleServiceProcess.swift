import Foundation
import IdemProcess
import IdemStore

/// The `idemtop-example-service` binary run as a child process: what tests and `idemtop demo` act on over HTTP.
///
/// Its stdout goes to a log file; the first line (`listening on http://127.0.0.1:PORT`) gives the URL.
public final class ExampleServiceProcess: Sendable {
    public let url: URL
    /// The service's stdout: the listening line, then one line per request.
    public let logPath: String
    /// Its stdin is a lifeline: when this process dies, the pipe closes and the service exits too.
    private let process: RunningChild
    /// True when the log is a temporary file this object made (and removes).
    private let ownsLog: Bool

    /// The binary beside the running executable (`swift build` puts all products in one folder), found through
    /// `/proc/self/exe` so it works however the executable was started (from PATH, a symlink, a relative path).
    public static var besideThisExecutable: URL {
        let running = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            .map { URL(fileURLWithPath: $0) }
            ?? Bundle.main.executableURL
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        return running.deletingLastPathComponent().appendingPathComponent("idemtop-example-service")
    }

    /// Starts the service on `127.0.0.1:port` (0: any free port) over `store` and waits for its listening line.
    ///
    /// - Parameter arguments: more options, e.g. `["--work-ms", "5", "--lock-timeout", "2s"]`.
    public init(executable: URL = ExampleServiceProcess.besideThisExecutable, store: StoreLocation, port: UInt16 = 0,
                arguments: [String] = [], logPath: String? = nil, timeout: Double = 10) throws {
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw StoreError.notFound(executable.path)
        }
        let log = logPath ?? NSTemporaryDirectory() + "idemtop-example-service-\(UUID().uuidString.prefix(8)).log"
        ownsLog = logPath == nil
        guard FileManager.default.createFile(atPath: log, contents: nil), let out = FileHandle(forWritingAtPath: log)
        else { throw StoreError.io(path: log, why: "cannot create the service log") }
        let p = try RunningChild(executable.path,
                                 ["--store", store.description, "--port", "\(port)", "--exit-with-stdin"] + arguments,
                                 input: .lifeline, stdout: .file(out), stderr: .file(out))
        try? out.close()
        self.process = p
        self.logPath = log
        let deadline = Date().addingTimeInterval(timeout)
        var found: URL?
        while found == nil, Date() < deadline, p.isRunning {
            found = ExampleServiceProcess.listeningURL(in: log)
            if found == nil { Thread.sleep(forTimeInterval: 0.02) }
        }
        found = found ?? ExampleServiceProcess.listeningURL(in: log)
        guard let url = found else {
            p.stop()
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw StoreError.io(path: executable.path, why: "the service did not start: \(text.prefix(300))")
        }
        self.url = url
    }

    /// The URL from the log's first line, once it is complete.
    static func listeningURL(in log: String) -> URL? {
        guard let text = try? String(contentsOfFile: log, encoding: .utf8), let nl = text.firstIndex(of: "\n") else {
            return nil
        }
        let first = text[..<nl]
        let prefix = "listening on "
        guard first.hasPrefix(prefix) else { return nil }
        return URL(string: String(first.dropFirst(prefix.count)))
    }

    public var pid: Int32 { process.pid }
    public var isRunning: Bool { process.isRunning }

    /// Everything the service printed so far.
    public func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Stops the service (SIGTERM) and waits for it to exit. The log stays readable until this object goes away.
    public func stop() { process.stop() }

    /// Stops the service; removes the log when it was a temporary one (no `logPath` given).
    deinit {
        stop()
        if ownsLog { try? FileManager.default.removeItem(atPath: logPath) }
    }
}
