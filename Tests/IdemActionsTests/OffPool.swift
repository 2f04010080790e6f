import Foundation
import IdemCore
import IdemFakes
import Testing

/// Expectations checked on a plain thread, reported to the running test afterwards (Swift Testing attributes an
/// issue to a test through task-local state, which a plain thread does not have).
final class Checks: Sendable {
    private let failures = Locked<[(String, SourceLocation)]>([])

    func expect(_ condition: Bool, _ message: @autoclosure () -> String = "",
                sourceLocation: SourceLocation = #_sourceLocation) {
        if !condition { record("Expectation failed: " + message(), sourceLocation: sourceLocation) }
    }

    func record(_ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        failures.withLock { $0.append((message, sourceLocation)) }
    }

    func report() {
        for (message, location) in failures.value {
            Issue.record(Comment(rawValue: message), sourceLocation: location)
        }
    }
}

/// Runs blocking test code on a thread of its own (`IdemFakes.offPool`) with a `Checks` to record expectations in.
func offPool(_ body: @escaping @Sendable (Checks) throws -> Void) async throws {
    let checks = Checks()
    defer { checks.report() }
    try await IdemFakes.offPool { try body(checks) }
}
