import Foundation

/// Runs blocking test code on a thread of its own and awaits its result, so it never holds one of the few Swift
/// concurrency threads (two on a 2-core machine) that other tests, and an in-process server, need meanwhile.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.stackSize = 8 << 20
        thread.start()
    }
}
