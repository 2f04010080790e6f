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
public final class ManualClock: Clock, Sendable {
    private let current: Locked<Instant>

    public init(_ start: Instant) { current = Locked(start) }

    public func now() -> Instant { current.value }

    /// Moves the clock by `span` (back, with a negative span).
    public func advance(_ span: TimeSpan) { current.withLock { $0 = $0 + span } }
    public func set(_ instant: Instant) { current.withLock { $0 = instant } }
}
