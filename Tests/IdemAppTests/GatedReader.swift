import Foundation
import IdemCore
import IdemStore

/// A reader over another one whose polls, from the `gateAt`-th on, block until the test opens the gate: a store that
/// accepts and never answers, for as long as the test wants.
///
/// `@unchecked Sendable`: `polls`, `open` and `blocked` are touched only while holding `lock`, and `inner` is polled
/// by one thread (the feed's). An `NSCondition`, not the project's `Locked`: a poll waits for the gate, and a `Mutex`
/// cannot wait.
final class GatedReader: EventReader, @unchecked Sendable {
    private let inner: any EventReader
    private let gateAt: Int
    private let lock = NSCondition()
    /// Guarded by `lock`.
    private var polls = 0
    private var open = false
    private var blocked = false

    init(_ inner: any EventReader, gateAt: Int) {
        self.inner = inner
        self.gateAt = gateAt
    }

    var location: StoreLocation { inner.location }
    var progress: LoadProgress { inner.progress }

    func poll(limit: Int, _ sink: (StoreEvent) -> Void, malformed: (MalformedEntry) -> Void) throws -> Int {
        lock.lock()
        polls += 1
        if polls >= gateAt {
            blocked = true
            let deadline = Date().addingTimeInterval(120)
            while !open, lock.wait(until: deadline) {}
            blocked = false
        }
        lock.unlock()
        return try inner.poll(limit: limit, sink, malformed: malformed)
    }

    func detail(for key: TokenKey) throws -> TokenDetail { try inner.detail(for: key) }
    func drainNotices() -> [String] { inner.drainNotices() }

    /// True while a poll waits at the gate.
    var isBlocked: Bool { lock.withLock { blocked } }

    /// Lets every poll through from now on.
    func release() {
        lock.withLock {
            open = true
            lock.broadcast()
        }
    }

    /// Waits (polling, up to `seconds`) until a poll is held at the gate.
    func waitUntilBlocked(seconds: Double = 60) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if isBlocked { return true }
            usleep(2000)
        }
        return isBlocked
    }
}
