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

    /// The same state in 40 bytes (`PackedKeyState`), or nil when a field does not fit (the key table then keeps
    /// the whole state aside).
    func packed(head: UInt16) -> PackedKeyState? {
        typealias P = PackedKeyState
        var flags: UInt8 = hasFingerprint ? P.fingerprint : 0
        let base = expiresAt.ms
        func difference(_ v: Int64, _ from: Int64) -> Int32? {
            let (d, over) = v.subtractingReportingOverflow(from)
            return over ? nil : Int32(exactly: d)
        }
        func delta(_ v: Int64) -> Int32? { difference(v, base) }
        guard let locked = delta(lockedUntil.ms) else { return nil }
        var drops: Int32 = 0
        if dropsAtMs != Self.none {
            guard let d = delta(dropsAtMs) else { return nil }
            drops = d
            flags |= P.hasDrops
        }
        // The expiry field (seconds or ms), or express-idempotency's createdAt (which has no expiry field), as a
        // difference from expiresAt: in ms, or in seconds from expiresAt's second.
        var exp: Int32 = 0
        if expirationRaw != Self.none || createdAtMs != Self.none {
            guard expirationRaw == Self.none || createdAtMs == Self.none else { return nil }
            let v = expirationRaw != Self.none ? expirationRaw : createdAtMs
            if expirationRaw == Self.none { flags |= P.createdInExpiry }
            flags |= P.hasExpiry
            if let d = delta(v) { exp = d; flags |= P.expiryFromMs }
            else if let d = difference(v, base / 1000) { exp = d }
            else { return nil }
        }
        var ipe: Int32 = 0
        if inProgressRaw != Self.none {
            flags |= P.hasInProgress
            let lockBase = lockedUntil.ms
            if let d = difference(inProgressRaw, lockBase) { ipe = d; flags |= P.inProgressFromMs }
            else if let d = difference(inProgressRaw, lockBase / 1000) { ipe = d }
            else { return nil }
        }
        return PackedKeyState(expiresAtMs: base, valueDigest: valueDigest, lockedDelta: locked, dropsDelta: drops,
                              expiryDelta: exp, inProgressDelta: ipe, pass: pass, stored: stored, flags: flags,
                              head: head)
    }

    /// The state `p` packs.
    init(_ p: PackedKeyState) {
        typealias P = PackedKeyState
        let base = p.expiresAtMs
        stored = p.stored
        hasFingerprint = p.flags & P.fingerprint != 0
        valueDigest = p.valueDigest
        pass = p.pass
        expiresAt = Instant(ms: base)
        lockedUntil = Instant(ms: base + Int64(p.lockedDelta))
        dropsAtMs = p.flags & P.hasDrops != 0 ? base + Int64(p.dropsDelta) : Self.none
        var exp = Self.none
        if p.flags & P.hasExpiry != 0 {
            exp = p.flags & P.expiryFromMs != 0 ? base + Int64(p.expiryDelta) : base / 1000 + Int64(p.expiryDelta)
        }
        if p.flags & P.createdInExpiry != 0 {
            createdAtMs = exp
            expirationRaw = Self.none
        } else {
            createdAtMs = Self.none
            expirationRaw = exp
        }
        if p.flags & P.hasInProgress != 0 {
            let lockBase = lockedUntil.ms
            inProgressRaw = p.flags & P.inProgressFromMs != 0 ? lockBase + Int64(p.inProgressDelta)
                : lockBase / 1000 + Int64(p.inProgressDelta)
        } else {
            inProgressRaw = Self.none
        }
    }
}

/// A `RedisKeyState` as the key table stores it, 40 bytes instead of 64: expiresAt in full and the other instants
/// and deadlines as 32-bit differences from it (they are seconds to days apart; a state whose differences do not
/// fit is kept whole beside the table), and the number of its key's part up to the last `#` (`head`).
struct PackedKeyState: Sendable {
    static let fingerprint: UInt8 = 1
    static let hasDrops: UInt8 = 2
    static let hasExpiry: UInt8 = 4
    static let expiryFromMs: UInt8 = 8
    static let createdInExpiry: UInt8 = 16
    static let hasInProgress: UInt8 = 32
    static let inProgressFromMs: UInt8 = 64
    /// The whole state is in the table's `overflow` (the fields here other than `pass` and `head` are unused).
    static let overflow: UInt8 = 128

    var expiresAtMs: Int64
    var valueDigest: Int
    var lockedDelta: Int32
    var dropsDelta: Int32
    var expiryDelta: Int32
    var inProgressDelta: Int32
    var pass: UInt32
    var stored: StoredStatus
    var flags: UInt8
    /// The key's head number (see `RedisKeyTable`).
    var head: UInt16
}
