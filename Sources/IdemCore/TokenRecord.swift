/// The aggregate's state for one token, kept compact: a million of these must fit in a few hundred megabytes.
///
/// Tenant and operation are indexes into the ledger's string tables; bodies stay in the store, reached by `requestRef`
/// and `responseRef`.
public struct TokenRecord: Sendable, Hashable {
    public var tenantID: Int32
    public var operationID: Int32
    public var token: String
    public var fingerprint: Fingerprint
    public var stored: StoredStatus
    /// Which of the open stores holds it (0 with one store).
    public var store: UInt8 = 0
    public var createdAt: Instant
    public var updatedAt: Instant
    public var expiresAt: Instant
    public var lockedUntil: Instant
    public var lastSeen: Instant
    /// Counts every event applied to this token (admin replays aside): a purge compares it to what the operator saw.
    public var version: Int32
    /// How many times the work ran (executed plus reexecuted): identifies the current execution.
    public var executions: Int32
    public var hits: Int32
    public var mismatches: Int32
    public var conflicts: Int32
    public var reexecutions: Int32
    public var adminEvents: Int32
    /// The stored response's HTTP status, or 0 when none.
    public var responseStatus: Int16
    public var requestRef: Int64
    public var responseRef: Int64

    public init(tenantID: Int32, operationID: Int32, token: String, fingerprint: Fingerprint, stored: StoredStatus,
                createdAt: Instant, expiresAt: Instant, lockedUntil: Instant) {
        self.tenantID = tenantID
        self.operationID = operationID
        self.token = token
        self.fingerprint = fingerprint
        self.stored = stored
        self.createdAt = createdAt
        self.updatedAt = createdAt
        self.expiresAt = expiresAt
        self.lockedUntil = lockedUntil
        self.lastSeen = createdAt
        self.version = 0
        self.executions = 0
        self.hits = 0
        self.mismatches = 0
        self.conflicts = 0
        self.reexecutions = 0
        self.adminEvents = 0
        self.responseStatus = 0
        self.requestRef = -1
        self.responseRef = -1
    }

    /// The status shown at `now`: purged wins, then expiry (`now >= expiresAt`), then a stuck lock.
    public func status(at now: Instant) -> TokenStatus {
        TokenRecord.derive(stored: stored, expiresAt: expiresAt, lockedUntil: lockedUntil, at: now)
    }

    /// The derivation on its own, for stores that hold these fields elsewhere (a SQLite row, a DynamoDB item).
    public static func derive(stored: StoredStatus, expiresAt: Instant, lockedUntil: Instant, at now: Instant) -> TokenStatus {
        if stored == .purged { return .purged }
        if now >= expiresAt { return .expired }
        switch stored {
        case .inProgress: return now >= lockedUntil ? .stuck : .inProgress
        case .completed: return .completed
        case .failed: return .failed
        case .purged: return .purged
        }
    }

    /// Time left until expiry at `now` (negative once expired).
    public func expiresIn(at now: Instant) -> TimeSpan { expiresAt - now }
}
