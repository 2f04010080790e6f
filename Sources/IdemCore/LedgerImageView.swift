import Foundation

/// A ledger's image (`LedgerImage`) read in place: its meta, the tokens by status at an instant from its columns,
/// and single records found through its stored index, without decoding the ledger.
///
/// What a reopen's `stats` needs: a million records decode in about 0.6 CPU seconds, while their status columns
/// are 17 MB read once. Every range is handed to `verify` before it is read (the checkpoint's chunk checksums);
/// a value out of range throws `LedgerImage.Invalid`. The image's memory must outlive the view: `owner` keeps
/// whatever holds it (a mapping) alive.
public struct LedgerImageView {
    let image: UnsafeRawBufferPointer
    let layout: LedgerImage.Layout
    let limits: LedgerImage.Limits
    let slots: Int
    let verify: (Range<Int>) throws -> Void
    let owner: AnyObject?
    /// The meta section as a ledger with no records: tenants, operations, counts, malformed entries, the newest
    /// event's time and the number of stores.
    public let meta: Ledger
    /// How many records the image holds.
    public let count: Int

    /// The view of `image`, or nil when its prefix or meta do not hold a ledger's.
    public init?(_ image: UnsafeRawBufferPointer, policy: Policy, owner: AnyObject?,
                 verify: @escaping (Range<Int>) throws -> Void) throws {
        guard let opened = try LedgerImage.opening(image, policy: policy, verify: verify) else { return nil }
        let (layout, prefix, meta, limits) = opened
        self.image = image
        self.layout = layout
        self.limits = limits
        self.meta = meta
        self.count = Int(prefix[1])
        self.slots = Int(prefix[5])
        self.verify = verify
        self.owner = owner
        // The index must be a table `RecordIndex` could have made for these records.
        guard slots == 0 ? count == 0 : slots.nonzeroBitCount == 1 && slots >= 16 && count * 2 <= slots else {
            return nil
        }
    }

    /// The position in `TokenStatus.allCases` of a status.
    @inline(__always)
    static func position(_ s: TokenStatus) -> Int {
        switch s {
        case .inProgress: return 0
        case .stuck: return 1
        case .completed: return 2
        case .failed: return 3
        case .expired: return 4
        case .purged: return 5
        }
    }

    /// The number of records by status at `now`, by position in `TokenStatus.allCases`, from the columns.
    public func statusCounts(at now: Instant) throws -> [Int] {
        var c = [Int](repeating: 0, count: TokenStatus.allCases.count)
        guard count > 0, let base = image.baseAddress else { return c }
        try verify(layout.expires..<(layout.stored + count))
        let t = now.ms
        let expires = base + layout.expires, locked = base + layout.locked, stored = base + layout.stored
        var bad = false
        c.withUnsafeMutableBufferPointer { c in
            for i in 0..<count {
                let code = stored.load(fromByteOffset: i, as: UInt8.self)
                if code == 3 { c[5] += 1; continue }
                let x = Int64(littleEndian: expires.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))
                if t >= x { c[4] += 1; continue }
                switch code {
                case 0:
                    let l = Int64(littleEndian: locked.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))
                    c[t >= l ? 1 : 0] += 1
                case 1: c[2] += 1
                case 2: c[3] += 1
                default: bad = true
                }
            }
        }
        if bad { throw LedgerImage.Invalid() }
        return c
    }

    /// The status of record `p` at `now`, from the columns.
    public func status(of p: Int, at now: Instant) throws -> TokenStatus {
        guard p >= 0, p < count, let base = image.baseAddress else { throw LedgerImage.Invalid() }
        try verify((layout.expires + 8 * p)..<(layout.expires + 8 * p + 8))
        try verify((layout.locked + 8 * p)..<(layout.locked + 8 * p + 8))
        try verify((layout.stored + p)..<(layout.stored + p + 1))
        let code = Int(base.load(fromByteOffset: layout.stored + p, as: UInt8.self))
        guard code < StoredStatus.allCases.count else { throw LedgerImage.Invalid() }
        let x = Int64(littleEndian: base.loadUnaligned(fromByteOffset: layout.expires + 8 * p, as: Int64.self))
        let l = Int64(littleEndian: base.loadUnaligned(fromByteOffset: layout.locked + 8 * p, as: Int64.self))
        return TokenRecord.derive(stored: StoredStatus.allCases[code], expiresAt: Instant(ms: x),
                                  lockedUntil: Instant(ms: l), at: now)
    }

    /// The position of the record of (`tenant`, `store`, `token`) through the stored index, if the image has one.
    public func find(tenant: Int32, store: UInt8, token: String) throws -> Int? {
        guard tenant >= 0, tenant < limits.tenants, slots > 0, let base = image.baseAddress else { return nil }
        let (layout, limits, count, verify) = (self.layout, self.limits, self.count, self.verify)
        let hash = RecordIndex.hash(tenant, store, token)
        var utf8 = token
        let found = try utf8.withUTF8 { t in
            try RecordIndex.find(hash: hash, capacity: slots, slot: { i in
                let at = layout.index + 8 * i
                try verify(at..<(at + 8))
                return UInt64(littleEndian: base.loadUnaligned(fromByteOffset: at, as: UInt64.self))
            }, matches: { position in
                let p = Int(position)
                guard p >= 0, p < count else { throw LedgerImage.Invalid() }
                let at = layout.records + p * LedgerImage.recordSize
                try verify(at..<(at + LedgerImage.recordSize))
                let r = base + at
                guard Int32(littleEndian: r.loadUnaligned(fromByteOffset: 96, as: Int32.self)) == tenant,
                      r.load(fromByteOffset: 139, as: UInt8.self) == store else { return false }
                guard let range = LedgerImage.tokenRange(p, image: base, layout: layout, limits: limits) else {
                    throw LedgerImage.Invalid()
                }
                guard range.count == t.count else { return false }
                guard let tb = t.baseAddress, !range.isEmpty else { return true }
                try verify(range)
                return memcmp(base + range.lowerBound, tb, t.count) == 0
            })
        }
        return found.map(Int.init)
    }

    /// Record `p`, decoded.
    public func record(_ p: Int) throws -> TokenRecord {
        guard p >= 0, p < count, let base = image.baseAddress else { throw LedgerImage.Invalid() }
        let at = layout.records + p * LedgerImage.recordSize
        try verify(at..<(at + LedgerImage.recordSize))
        guard let range = LedgerImage.tokenRange(p, image: base, layout: layout, limits: limits) else {
            throw LedgerImage.Invalid()
        }
        if !range.isEmpty { try verify(range) }
        guard let r = try LedgerImage.decodeRecord(p, image: image, layout: layout, limits: limits, verify: verify) else {
            throw LedgerImage.Invalid()
        }
        return r
    }
}

extension LedgerImage {
    /// A value in an image out of range (its checksums held: a format mismatch, not corruption in transit).
    public struct Invalid: Error, CustomStringConvertible {
        public init() {}
        public var description: String { "the ledger image holds a value out of range" }
    }
}
