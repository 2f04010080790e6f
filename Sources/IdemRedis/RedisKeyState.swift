import IdemCore

/// What the change tracker keeps per Redis key between looks: the fields its rules and the findings compare, and a
/// digest of the value (never the value or its bodies), so a million keys stay small.
///
/// The optional fields are stored as plain integers with `Int64.min` for "none" (no optional's extra byte and
/// padding), and the tenant and token are not kept (the key gives them back, `RedisRecord.tokenKey(ofKey:)`):
/// 64 bytes a key (it was 128 with optionals and both strings).
public struct RedisKeyState: Sendable, Hashable {
    private static let none = Int64.min
    private var expirationRaw: Int64
    private var inProgressRaw: Int64
    public var expiresAt: Instant
    public var lockedUntil: Instant
    private var dropsAtMs: Int64
    private var createdAtMs: Int64
    /// A digest of the value: what two looks compare to tell whether the key changed.
    public var valueDigest: Int
    public var stored: StoredStatus
    /// Whether the value carries the payload hash the library compares.
    public var hasFingerprint: Bool
    /// The number of the last scan pass that listed the key (0: none yet; a key read after an invalidation keeps
    /// its number): what tells, at a pass's end, which keys it did not see.
    public var pass: UInt32 = 0

    public init(_ r: RedisRecord) {
        stored = r.stored
        expirationRaw = r.expiration ?? Self.none
        inProgressRaw = r.inProgressExpiration ?? Self.none
        expiresAt = r.expiresAt
        lockedUntil = r.lockedUntil
        dropsAtMs = r.dropsAt?.ms ?? Self.none
        createdAtMs = r.createdAt?.ms ?? Self.none
        hasFingerprint = r.fingerprint != nil
        valueDigest = r.valueDigest
    }

    /// The library's own expiry field, as stored.
    public var expiration: Int64? { expirationRaw == Self.none ? nil : expirationRaw }
    public var inProgressExpiration: Int64? { inProgressRaw == Self.none ? nil : inProgressRaw }
    /// When Redis drops the key; nil when it has no TTL.
    public var dropsAt: Instant? { dropsAtMs == Self.none ? nil : Instant(ms: dropsAtMs) }
    public var createdAt: Instant? { createdAtMs == Self.none ? nil : Instant(ms: createdAtMs) }

    /// The status the library would act on at `now`.
    public func status(at now: Instant) -> TokenStatus {
        TokenRecord.derive(stored: stored, expiresAt: expiresAt, lockedUntil: lockedUntil, at: now)
    }
}
