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
