import Foundation
import IdemUI
import IdemCore

/// Runs the effects that may block (a purge, a replay's exchange, loading a theme file) on threads of their own;
/// each posts its answer to the loop's inbox.
///
/// It counts the jobs still running, so quitting can wait for their admin events to be written, and raises a stop
/// flag on quit that a bulk purge checks between batches.
final class Workers: Sendable {
    private let running = Locked(0)
    private let stopping = Locked(false)
    private let finished = Waker()
    private let inbox: Inbox

    init(inbox: Inbox) { self.inbox = inbox }

    /// Runs `body` on a new thread and posts what it answers.
    func start(_ name: String, _ body: @escaping @Sendable () -> AppEvent) {
        begin()
        spawn(name, body)
    }

    /// Counts a job whose thread starts later (`spawn`), e.g. once the feed has read what it needs.
    func begin() { running.withLock { $0 += 1 } }

    /// Starts the thread of a job counted with `begin`.
    func spawn(_ name: String, _ body: @escaping @Sendable () -> AppEvent) {
        let thread = Thread { [self] in
            inbox.post(body())
            running.withLock { $0 -= 1 }
            finished.wake()
        }
        thread.name = name
        thread.start()
    }

    /// Jobs counted and not finished.
    var pending: Int { running.withLock { $0 } }

    /// True once `stop` was called: long jobs end between their steps.
    var shouldStop: Bool { stopping.withLock { $0 } }

    /// Raises the stop flag and waits up to `seconds` for every job to finish; true when none is left.
    func stop(waiting seconds: Double) -> Bool {
        stopping.withLock { $0 = true }
        let deadline = Monotonic.nanos + UInt64(seconds * 1e9)
        while pending > 0 {
            let now = Monotonic.nanos
            guard now < deadline else { return false }
            finished.wait(timeoutMs: Int32(min(100, (deadline - now) / 1_000_000 + 1)))
        }
        return true
    }
}
