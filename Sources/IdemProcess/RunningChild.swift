import Foundation

/// A child process kept running while its parent works with it (the example service, a helper a test drives),
/// then stopped: the long-running half of the project's one runner, beside `ChildProcess.run`.
///
/// It is Foundation's `Process`, not swift-subprocess: a subprocess child lives inside one `async` call (its
/// `Execution` is valid only in the closure), while these are started and stopped by synchronous code, from `init`
/// to `deinit`, and outlive any one call.
public final class RunningChild: Sendable {
    /// Where the child's standard input comes from.
    public enum Input: Sendable {
        /// `/dev/null`: the child reads end-of-file.
        case closed
        /// A pipe this object keeps open: when the parent dies, the pipe closes and a child that watches its stdin
        /// (`--exit-with-stdin`) exits too.
        case lifeline
    }

    /// Where one of the child's outputs goes.
    public enum Output: Sendable {
        /// This process's own stdout or stderr.
        case inherit
        /// `/dev/null`.
        case discard
        /// A file (or any handle) the caller opened.
        case file(FileHandle)
        /// A pipe the caller reads.
        case pipe(Pipe)
    }

    private let process: Process
    private let lifeline: Pipe?

    /// Starts `executable` with `arguments`.
    ///
    /// - Parameter environment: the child's whole environment; nil: this process's.
    public init(_ executable: String, _ arguments: [String] = [], environment: [String: String]? = nil,
                input: Input = .closed, stdout: Output = .inherit, stderr: Output = .inherit) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        if let environment { p.environment = environment }
        switch input {
        case .closed:
            p.standardInput = FileHandle.nullDevice
            lifeline = nil
        case .lifeline:
            let pipe = Pipe().closeOnExec()
            p.standardInput = pipe
            lifeline = pipe
        }
        if let out = RunningChild.handle(stdout) { p.standardOutput = out }
        if let err = RunningChild.handle(stderr) { p.standardError = err }
        try p.run()
        process = p
    }

    /// What `Process` takes for `output`; nil to inherit.
    private static func handle(_ output: Output) -> Any? {
        switch output {
        case .inherit: return nil
        case .discard: return FileHandle.nullDevice
        case .file(let handle): return handle
        case .pipe(let pipe): return pipe
        }
    }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }
    /// The exit code once it exited (the signal's number when one killed it); -1 while it runs.
    public var exitCode: Int32 { process.isRunning ? -1 : process.terminationStatus }

    /// Sends SIGTERM if it still runs and waits for it to exit; SIGKILL when it has not after `grace` seconds.
    public func stop(grace: Double = 10) {
        if process.isRunning { process.terminate() }
        if !wait(seconds: grace) { kill() }
    }

    /// Sends SIGKILL and waits for it to exit.
    public func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Closes the lifeline (`Input.lifeline`), so a child that watches its stdin sees end-of-file and exits, and
    /// waits for that; SIGKILL when it has not after `seconds`.
    public func closeInput(waiting seconds: Double = 30) {
        try? lifeline?.fileHandleForWriting.close()
        if !wait(seconds: seconds) { kill() }
    }

    /// Waits up to `seconds` for it to exit on its own; true when it did.
    public func wait(seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        if process.isRunning { return false }
        process.waitUntilExit()
        return true
    }
}
