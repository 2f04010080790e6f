import Foundation

/// Where the current time comes from. Code that decides takes a clock; only the system clock reads `Date()`.
public protocol Clock: Sendable {
    func now() -> Instant
}

/// The wall clock.
public struct SystemClock: Clock {
    public init() {}
    public func now() -> Instant { Instant(Date()) }
}

/// A clock that reads what it was last set to: the simulator's virtual time, `--at TIME`, and tests.
public final class ManualClock: Clock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Instant

    public init(_ start: Instant) { current = start }

    public func now() -> Instant { lock.withLock { current } }

    /// Moves the clock by `span` (back, with a negative span).
    public func advance(_ span: TimeSpan) { lock.withLock { current = current + span } }
    public func set(_ instant: Instant) { lock.withLock { current = instant } }
}
