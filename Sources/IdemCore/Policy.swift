/// The store's timing rules: how long a token is kept and how long a worker may hold it.
public struct Policy: Sendable, Hashable {
    /// How long after its first execution a token is remembered (default 24 h). After it a retry runs again.
    public var retention: TimeSpan
    /// How long an in-progress token may stay so before it counts as stuck (default 60 s).
    public var lockTimeout: TimeSpan

    public init(retention: TimeSpan = .hours(24), lockTimeout: TimeSpan = .seconds(60)) {
        self.retention = retention
        self.lockTimeout = lockTimeout
    }

    public static let standard = Policy()
}
