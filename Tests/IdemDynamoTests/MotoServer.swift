import Foundation
import IdemTestSupport
import Testing

/// A moto DynamoDB-compatible server on a free loopback port, shared by the DynamoDB suites of one test run.
///
/// Started once through `python3 -m moto.server` under a small watchdog that stops it when this process's pipe
/// closes, so the server never outlives the tests, even after a crash. A missing moto fails with the pip line.
final class MotoServer: @unchecked Sendable {
    static let pipLine = "python3 -m venv ~/.venvs/moto && ~/.venvs/moto/bin/pip install 'moto[server]==5.2.1', "
        + "then put ~/.venvs/moto/bin first on PATH (README: Install)"
    nonisolated(unsafe) private static var started: Result<MotoServer, Error>?
    private static let lock = NSLock()

    let port: Int
    let process: Process
    let stdin: Pipe

    var endpoint: String { "http://127.0.0.1:\(port)" }

    /// The shared server, started on first use.
    static func shared() throws -> MotoServer {
        try lock.withLock {
            if let started { return try started.get() }
            let result = Result { try MotoServer() }
            started = result
            return try result.get()
        }
    }

    private init() throws {
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["python3", "-c", "import moto.server, flask"]
        check.standardError = FileHandle.nullDevice
        try check.run()
        check.waitUntilExit()
        guard check.terminationStatus == 0 else {
            throw HarnessError("moto's server is not installed for python3: \(MotoServer.pipLine)")
        }
        port = try MotoServer.freePort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Watchdog.script, "python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)]
        stdin = Pipe()
        process.standardInput = stdin
        // Not the test's stdout: swift test reads that to its end, and the watchdog must not hold it open.
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)  // generous: a loaded machine starts Python slowly
        while !MotoServer.accepts(port: port) {
            guard Date() < deadline, process.isRunning else {
                throw HarnessError("moto did not start on 127.0.0.1:\(port) within 120 s")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        atexit { MotoServer.stopShared() }
    }

    /// Sends the watchdog SIGTERM: it terminates moto and exits. (At exit `Process.waitUntilExit` would spin, so
    /// this does not wait; closing the pipe, as this process's exit does, stops it too.)
    static func stopShared() {
        if case .success(let server)? = started { kill(server.process.processIdentifier, SIGTERM) }
    }

    static func freePort() throws -> Int { try LoopbackPort.free() }

    static func accepts(port: Int) -> Bool { LoopbackPort.accepts(port) }
}
