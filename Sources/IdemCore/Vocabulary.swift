/// The outcome of one request that arrived with a token.
public enum Outcome: String, CaseIterable, Sendable, Codable {
    /// The first request with this token: the work ran.
    case executed
    /// A duplicate: answered from the stored response, the work did not run again.
    case replayed
    /// The token was reused with another payload or operation: rejected (422), never executed.
    case mismatch
    /// The token is still in progress: rejected (409).
    case conflict
    /// The token had expired, so the work ran again: a possible double charge.
    case reexecuted

    /// Outcomes that ran the work and so start a new lifetime for the record.
    public var executes: Bool { self == .executed || self == .reexecuted }
}

/// The status a store keeps for a record. What the dashboard shows is `TokenStatus`, derived with a clock.
public enum StoredStatus: String, CaseIterable, Sendable, Codable {
    case inProgress = "in_progress"
    case completed
    case failed
    case purged
}

/// The status shown: derived from the stored status, the record's deadlines and a clock, never stored.
public enum TokenStatus: String, CaseIterable, Sendable, Codable {
    case inProgress = "in_progress"
    /// In progress past its lock deadline: the worker probably died.
    case stuck
    case completed
    case failed
    /// `now >= expires_at`: a retry would run the work again.
    case expired
    /// Expired by hand (an admin purge).
    case purged

    /// What needs attention first, for sorting by status everywhere (the table, `list --sort status`): stuck,
    /// failed, in progress, expired, completed, purged.
    public var attentionRank: Int {
        switch self {
        case .stuck: return 0
        case .failed: return 1
        case .inProgress: return 2
        case .expired: return 3
        case .completed: return 4
        case .purged: return 5
        }
    }
}

/// What kind of line or row an event is.
public enum EventKind: String, CaseIterable, Sendable, Codable {
    /// A request arrived with a token; carries an `Outcome`.
    case request
    /// The work finished and its response was stored.
    case completed
    /// The work failed; a retry with the same token executes again.
    case failed
    /// Admin: the token was expired by hand.
    case purge
    /// Admin: the stored request was sent again.
    case replay

    public var isAdmin: Bool { self == .purge || self == .replay }
}

/// A token in its tenant's namespace: the same token string in two tenants is two tokens. With several stores open
/// in one view, `store` says whose (their position on the command line); one store is store 0.
public struct TokenKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var tenant: String
    public var token: String
    public var store: UInt8
    public init(tenant: String, token: String, store: UInt8 = 0) {
        self.tenant = tenant
        self.token = token
        self.store = store
    }
    /// The key as its own store knows it (store 0): what goes to a store's reader and admin, which hold one store.
    public var inOwnStore: TokenKey { TokenKey(tenant: tenant, token: token) }

    public static func < (a: TokenKey, b: TokenKey) -> Bool {
        (a.tenant, a.token, a.store) < (b.tenant, b.token, b.store)
    }
    public var description: String { "\(tenant)/\(token)" }
}
