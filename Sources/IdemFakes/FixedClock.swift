import Foundation
import IdemCore

/// A clock that says what it is told: for tests, and for `--at TIME`.
public final class FixedClock: Clock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Instant

    public init(_ start: Instant) { current = start }
    public convenience init(_ rfc3339: String) {
        self.init(Instant(rfc3339: rfc3339) ?? Instant(ms: 0))
    }

    public func now() -> Instant { lock.withLock { current } }

    /// Moves the clock forward (or back, with a negative span).
    public func advance(_ span: TimeSpan) { lock.withLock { current = current + span } }
    public func set(_ instant: Instant) { lock.withLock { current = instant } }
}
