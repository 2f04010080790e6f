import Foundation
import IdemUI

/// The answers of actions running on worker threads (replays, bulk purges), waiting for the run loop to pick them up.
///
/// Workers `post` from any thread; the loop `drain`s on its own thread each iteration and sends what it finds as
/// messages, so the state and ncurses stay on the loop's thread. `pending` counts jobs started and not yet
/// drained: while it is not zero the loop waits for input in short slices, so an answer shows within ~50 ms.
final class WorkerInbox: @unchecked Sendable {
    private let lock = NSLock()
    /// Guarded by `lock`.
    private var messages: [Message] = []
    /// Guarded by `lock`.
    private var started = 0

    /// Counts one more job whose answer will be posted.
    func begin() {
        lock.withLock { started += 1 }
    }

    /// Hands a finished job's message to the loop; safe from any thread.
    func post(_ message: Message) {
        lock.withLock { messages.append(message) }
    }

    /// The messages posted since the last drain, in order.
    func drain() -> [Message] {
        lock.withLock {
            let out = messages
            messages.removeAll()
            started -= out.count
            return out
        }
    }

    /// Jobs started whose answer the loop has not drained yet.
    var pending: Int { lock.withLock { started } }

    /// Waits up to `seconds` for every started job to post its answer (so its admin events are recorded before the
    /// process exits); true when none is still running.
    func waitForWorkers(seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if lock.withLock({ messages.count >= started }) { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return lock.withLock { messages.count >= started }
    }
}
