import Synchronization

/// A value shared between threads, behind the standard library's `Mutex`: the project's one lock type.
///
/// A class, so closures and threads can hold the same one; `withLock` is the only way to the value.
public final class Locked<Value>: Sendable {
    private let mutex: Mutex<Value>

    public init(_ value: sending Value) { mutex = Mutex(value) }

    /// Runs `body` with the value, holding the lock.
    public func withLock<Result, E: Error>(_ body: (inout sending Value) throws(E) -> sending Result) throws(E) -> sending Result {
        try mutex.withLock(body)
    }
}

extension Locked where Value: Sendable {
    /// The value now (a copy).
    public var value: Value { withLock { $0 } }
}
