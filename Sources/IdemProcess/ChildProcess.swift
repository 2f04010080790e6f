import Foundation
import IdemCore

/// Runs a command to completion and collects what it printed: the one way idemtop and its tests run a one-shot
/// child process. Long-running children go through `RunningChild`.
///
/// No shell is involved: `executable` is a path and `arguments` are passed as they are. Standard input is closed
/// (`/dev/null`), so a child that asks for input reads end-of-file instead of waiting.
///
/// Foundation's `Process`, not swift-subprocess: every caller is synchronous, and a blocking wait on subprocess's
/// `async` run deadlocks once the callers fill Swift concurrency's pool (two parallel tests on two cores): it
/// starts an unstructured `Task` of its own, which then finds no thread. Here the waiting is on threads of our own.
///
/// A limit of `Process` on Linux: it sees the child end when every process holding a descriptor the child inherited
/// has ended, so a command that leaves a background grandchild behind counts as running until that one ends too.
public enum ChildProcess {
    /// What a finished child left.
    public struct Outcome: Sendable {
        /// The exit code; 128 + the signal for a child killed by one (as a shell reports it).
        public var code: Int32
        public var stdout: Data
        public var stderr: Data

        public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    }

    /// Why no outcome came back.
    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// The program could not be started (missing, not executable); `why` is the system's reason.
        case cannotStart(String, why: String)
        /// The child ran past `seconds` and was stopped (SIGTERM, then SIGKILL a second later).
        case timedOut(String, seconds: Double)

        public var description: String {
            switch self {
            case .cannotStart(let program, let why): return "could not start \(program): \(why)"
            case .timedOut(let program, let seconds): return "\(program) did not finish within \(seconds) s"
            }
        }
    }

    /// Runs `executable` with `arguments` and waits for it, blocking the calling thread (any thread).
    ///
    /// - Parameters:
    ///   - environment: the child's whole environment; nil: this process's.
    ///   - timeout: seconds before the child is stopped and `Failure.timedOut` thrown; nil: no limit.
    public static func run(_ executable: String, _ arguments: [String] = [], environment: [String: String]? = nil,
                           workingDirectory: String? = nil, timeout: Double? = nil) throws -> Outcome {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        if let environment { p.environment = environment }
        if let workingDirectory { p.currentDirectoryURL = URL(fileURLWithPath: workingDirectory) }
        p.standardInput = FileHandle.nullDevice
        let out = Pipe().closeOnExec(), err = Pipe().closeOnExec()
        p.standardOutput = out
        p.standardError = err
        do { try p.run() } catch { throw Failure.cannotStart(executable, why: error.localizedDescription) }
        // Both pipes are read while the child runs, so a large output cannot fill a pipe and stall it.
        let stdout = drain(out), stderr = drain(err)
        if let timeout, !exited(p, within: timeout) {
            p.terminate()
            if !exited(p, within: 1) { kill(p.processIdentifier, SIGKILL) }
            p.waitUntilExit()
            throw Failure.timedOut(executable, seconds: timeout)
        }
        p.waitUntilExit()
        let code = p.terminationReason == .uncaughtSignal ? 128 + p.terminationStatus : p.terminationStatus
        return Outcome(code: code, stdout: stdout.wait(), stderr: stderr.wait())
    }

    /// True once `p` has exited, false when it still runs after `seconds`.
    private static func exited(_ p: Process, within seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while p.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        return !p.isRunning
    }

    /// Reads `pipe` to its end on a thread of its own (not Swift concurrency's pool, which the caller may fill).
    private static func drain(_ pipe: Pipe) -> Drained {
        let drained = Drained()
        let reader = pipe.fileHandleForReading
        Thread {
            let data = reader.readDataToEndOfFile()
            drained.data.withLock { $0 = data }
            drained.done.signal()
        }.start()
        return drained
    }

    /// What a reader thread read, once it reached the end.
    private final class Drained: Sendable {
        let data = Locked(Data())
        /// A semaphore, not the lock: the caller waits for one signal, which a Mutex cannot express.
        let done = DispatchSemaphore(value: 0)

        func wait() -> Data {
            done.wait()
            return data.value
        }
    }
}
