import IdemCore

/// A clock for tests: the core's `ManualClock`, with a constructor from RFC 3339 text.
public typealias FixedClock = ManualClock

extension ManualClock {
    public convenience init(_ rfc3339: String) {
        self.init(Instant(rfc3339: rfc3339) ?? Instant(ms: 0))
    }
}
