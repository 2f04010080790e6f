/// The known pitfalls of idempotency tokens that the detectors look for.
///
/// The raw values are the names the audit prints and writes to JSON; they are part of idemtop's interface.
public enum FindingKind: String, CaseIterable, Sendable, Codable {
    /// One payload executed under two or more tokens within a short window: the client made a new token on retry.
    case doubleChargeSuspect = "double_charge_suspect"
    /// A request arrived after its token expired, so the work ran again.
    case reexecutedAfterExpiry = "reexecuted_after_expiry"
    /// One token sent with another payload or operation (a `mismatch`), per token or often in one tenant.
    case tokenReuse = "token_reuse"
    /// In progress past its lock deadline: the worker probably died; retries get 409 until it expires.
    case stuck
    /// Tokens that look like timestamps, counters, or are too short or too repetitive to be unique.
    case weakToken = "weak_token"
    /// One token hit many times within a short window: a retry loop without backoff.
    case retryStorm = "retry_storm"
    /// A token still retried just before it expires: the next retry may run the work again.
    case expiringWithRetries = "expiring_with_retries"

    /// A short human title, for table headers and help.
    public var title: String {
        switch self {
        case .doubleChargeSuspect: return "double charge suspect"
        case .reexecutedAfterExpiry: return "re-executed after expiry"
        case .tokenReuse: return "token reused"
        case .stuck: return "stuck"
        case .weakToken: return "weak token"
        case .retryStorm: return "retry storm"
        case .expiringWithRetries: return "expiring with retries"
        }
    }

    /// The position in `allCases`, used to order findings of one severity.
    var rank: Int {
        switch self {
        case .doubleChargeSuspect: return 0
        case .reexecutedAfterExpiry: return 1
        case .tokenReuse: return 2
        case .stuck: return 3
        case .weakToken: return 4
        case .retryStorm: return 5
        case .expiringWithRetries: return 6
        }
    }
}
