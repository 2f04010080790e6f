import IdemCore

/// What the change tracker keeps per Redis key between looks: the fields its rules and the findings compare, and a
/// digest of the value (never the value or its bodies), so a million keys stay small.
public struct RedisKeyState: Sendable, Hashable {
    public var tenant: String
    public var token: String
    public var stored: StoredStatus
    /// The library's own expiry field, as stored.
    public var expiration: Int64?
    public var inProgressExpiration: Int64?
    public var expiresAt: Instant
    public var lockedUntil: Instant
    public var dropsAt: Instant?
    public var createdAt: Instant?
    /// Whether the value carries the payload hash the library compares.
    public var hasFingerprint: Bool
    /// A digest of the value: what two looks compare to tell whether the key changed.
    public var valueDigest: Int

    public init(_ r: RedisRecord) {
        tenant = r.tenant
        token = r.token
        stored = r.stored
        expiration = r.expiration
        inProgressExpiration = r.inProgressExpiration
        expiresAt = r.expiresAt
        lockedUntil = r.lockedUntil
        dropsAt = r.dropsAt
        createdAt = r.createdAt
        hasFingerprint = r.fingerprint != nil
        valueDigest = r.valueDigest
    }

    /// The status the library would act on at `now`.
    public func status(at now: Instant) -> TokenStatus {
        TokenRecord.derive(stored: stored, expiresAt: expiresAt, lockedUntil: lockedUntil, at: now)
    }
}
