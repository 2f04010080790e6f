import IdemCore

/// How one library lays its idempotency records out in Redis: the key pattern, the JSON field names, the units, the
/// status words, and the rules it decides a record's state by. docs/redis.md cites each library's source.
public struct RedisProfile: Sendable, Hashable {
    /// The libraries idemtop knows, plus `custom` (the powertools layout with every name set by options).
    public enum Library: String, Sendable, Hashable, CaseIterable {
        case powertools
        case powertoolsTS = "powertools-ts"
        case nodeIdempotency = "node-idempotency"
        case expressIdempotency = "express-idempotency"
        case custom
    }

    public var library: Library
    /// The SCAN MATCH pattern (default per library).
    public var match: String
    public var statusField = "status"
    public var expiryField = "expiration"
    public var inProgressExpiryField = "in_progress_expiration"
    public var dataField = "data"
    public var validationField = "validation"
    /// The status words for in progress and completed.
    public var inProgressWord = "INPROGRESS"
    public var completedWord = "COMPLETED"
    /// The expiry field's unit: seconds (Powertools) or milliseconds.
    public var expiryInMs = false
    /// Whether the service validates payloads (`payload_validation_jmespath` set): a COMPLETED record without its
    /// hash is then a finding. Unknown (nil) unless the location says `validation=1|0`.
    public var validationConfigured: Bool?
    /// express-idempotency's `processingTimeout` (ms): an in-progress resource older than this may be taken over.
    public var processingTimeoutMs: Int64?
    /// The library's retention (Powertools' expires_after_seconds, default 3600; the Node libraries' TTL, default a
    /// day): a record seen first is dated its expiry minus this.
    public var expiresAfter = TimeSpan.seconds(3600)

    public init(_ library: Library) {
        self.library = library
        switch library {
        case .powertools, .powertoolsTS, .custom: match = "*"
        case .expressIdempotency:
            match = "*"
            expiresAfter = .seconds(86_400)
        case .nodeIdempotency:
            match = "node-idempotency:*"
            expiresAfter = .seconds(86_400)
            inProgressWord = "IN_PROGRESS"
            completedWord = "COMPLETE"
        }
    }

    /// Whether the record layout is Powertools' (status/expiration/in-progress deadline fields in a JSON object).
    public var isPowertoolsLayout: Bool { [.powertools, .powertoolsTS, .custom].contains(library) }

    /// The first instant the library calls a record with `expiration` (its unit) expired.
    ///
    /// Python: `int(now_s) > expiration`, so `(expiration + 1) s`; TypeScript: `Date.now() / 1000 > expiration`, so
    /// `expiration s + 1 ms`; a custom millisecond field: one ms past it.
    public func expiredFrom(_ expiration: Int64) -> Instant {
        if expiryInMs { return Instant(ms: expiration + 1) }
        switch library {
        case .powertoolsTS: return Instant(ms: expiration * 1000 + 1)
        default: return Instant(ms: (expiration + 1) * 1000)
        }
    }

    /// The first instant another request may take an in-progress record over, from `in_progress_expiration` (ms);
    /// `expiresAt` when the library keeps such a record locked until it expires.
    ///
    /// Both Powertools layers keep the lock while `in_progress_expiration > now_ms`, so it is free from that very
    /// millisecond (DynamoDB's condition is `<`, one ms later). Without the field they differ: Python 3.37.0 fails
    /// closed (`in_progress_expiry_timestamp is None` keeps the lock until the key's TTL), TypeScript's
    /// `inProgressExpiryTimestamp && ...` treats the record as an orphan at once (a retry takes it over).
    public func lockFreeFrom(_ inProgressExpiration: Int64?, expiresAt: Instant) -> Instant {
        switch inProgressExpiration {
        case .some(let ipe) where ipe != 0: return Instant(ms: ipe)
        case .some: return Instant(ms: 0)
        case .none: return library == .powertoolsTS ? Instant(ms: 0) : expiresAt
        }
    }
}
