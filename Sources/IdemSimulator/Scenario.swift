import IdemCore

/// What the simulator plants: each kind is a way real clients use (or misuse) idempotency tokens.
///
/// The raw values of the misuse kinds match the finding kinds the audit reports, so a test can check that every
/// planted problem is found.
public enum Scenario: String, CaseIterable, Sendable, Codable {
    /// A request that executes once and completes.
    case clean
    /// The client timed out and retried with the same token: conflicts while in progress, then replays.
    case retriedOnTimeout = "retried_on_timeout"
    /// Two copies of one request arrive together: one executes, the other gets a conflict.
    case concurrentDuplicate = "concurrent_duplicate"
    /// A buggy client reuses one token for another payload: a mismatch, never executed.
    case tokenReuse = "token_reuse"
    /// The worker crashed mid-request: the token stays in progress past its deadline.
    case stuck
    /// A retry arrived after the token expired, so the work ran again.
    case reexecutedAfterExpiry = "reexecuted_after_expiry"
    /// The same payload under a fresh token seconds later: a double charge the store could not prevent.
    case doubleChargeSuspect = "double_charge_suspect"
    /// A retry loop without backoff: one token hit many times within a minute.
    case retryStorm = "retry_storm"
    /// A token still retried just before it expires.
    case expiringWithRetries = "expiring_with_retries"
    /// The work failed; the client retried and it executed again.
    case failed
    /// A token that is a timestamp or a counter rather than a random value (counted per token).
    case weakToken = "weak_token"

    /// The finding kind this scenario plants (the line of `FindingKind.table` of the same name); nil for the ways
    /// of using tokens that are fine.
    public var finding: FindingKind? { FindingKind(rawValue: rawValue) }

    /// The problems an audit should report.
    public var isFinding: Bool { finding != nil }

    /// The scenario that plants a finding kind, nil when the simulator has none.
    public init?(planting kind: FindingKind) {
        guard let s = Scenario.allCases.first(where: { $0.finding == kind }) else { return nil }
        self = s
    }
}

/// How a tenant's clients make their tokens.
enum TokenStyle: Sendable {
    case uuid
    /// Epoch milliseconds: unique only until two requests share a millisecond.
    case timestamp
    /// A per-tenant counter such as `order-10042`.
    case counter
    /// A random 26-character string (ULID-like).
    case random
}

/// One simulated tenant: a client of the payments API.
struct SimTenant: Sendable {
    var name: String
    var style: TokenStyle
    var weight: Int

    static let all: [SimTenant] = [
        SimTenant(name: "acme", style: .uuid, weight: 30),
        SimTenant(name: "globex", style: .uuid, weight: 20),
        SimTenant(name: "initech", style: .timestamp, weight: 10),
        SimTenant(name: "umbrella", style: .counter, weight: 8),
        SimTenant(name: "hooli", style: .random, weight: 15),
        SimTenant(name: "zürich-bank-銀行", style: .uuid, weight: 6),
    ]
}
