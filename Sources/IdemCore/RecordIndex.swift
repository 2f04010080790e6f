import CByteScan

/// Finds a token's record by (tenant id, store, token) with 8 bytes a slot: an open-addressing table of record
/// positions, each beside 32 bits of its key's hash, whose keys live in the records themselves.
///
/// A `[Key: Int32]` dictionary keeps a second copy of every key (24 bytes a slot, at a load of at most 3/4); at a
/// million tokens this index is about 16 MB where the dictionary took about 56 MB.
///
/// Why the hash sits in the slot: the fold looks up every event's token, and once the table and the records are
/// larger than the caches, each record a probe reads is a cache miss, and so is the token's string storage it
/// compares. With only positions in the slots, every probe of a collision chain cost those two misses, and growing
/// the table rehashed every record's token (touching all of them again); the slots' hashes skip the records of other
/// keys (a probe reads a record only when 32 bits of hash agree), and growing reads nothing but the slots. The hash
/// is `StableHash`'s multiply-rotate over 8 bytes at a time, cheaper than `Hasher`'s SipHash on these short keys.
struct RecordIndex: Sendable {
    /// The hash's high 32 bits in the slot's high half, the position + 1 in the low half; 0 is an empty slot.
    private var slots: [UInt64] = []
    private var mask = 0
    private(set) var count = 0

    init() {}

    @inline(__always)
    static func hash(_ tenant: Int32, _ store: UInt8, _ token: String) -> UInt64 {
        var h = StableHash.seed
        StableHash.step(&h, UInt64(UInt32(bitPattern: tenant)) | UInt64(store) << 32)
        StableHash.mix(&h, token)
        return StableHash.finish(h)
    }

    /// `hash(_:_:_:)` of a token given as its bytes.
    @inline(__always)
    static func hash(_ tenant: Int32, _ store: UInt8, bytes token: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h = StableHash.seed
        StableHash.step(&h, UInt64(UInt32(bitPattern: tenant)) | UInt64(store) << 32)
        StableHash.mix(&h, token)
        return StableHash.finish(h)
    }

    /// The position of the record for (`tenant`, `store`, `token`) in `records`, if there is one.
    func find(_ tenant: Int32, _ store: UInt8, _ token: String, in records: [TokenRecord]) -> Int32? {
        guard count > 0 else { return nil }
        return find(hash: RecordIndex.hash(tenant, store, token), tenant, store, token, in: records)
    }

    /// `find` with the key's `hash(_:_:_:)` already taken.
    @inline(__always)
    func find(hash h: UInt64, _ tenant: Int32, _ store: UInt8, _ token: String, in records: [TokenRecord]) -> Int32? {
        find(hash: h, tenant, store, in: records, isToken: { $0 == token })
    }

    /// `find` with the key's hash taken, `isToken` telling whether a record's token is the key's.
    @inline(__always)
    func find(hash h: UInt64, _ tenant: Int32, _ store: UInt8, in records: [TokenRecord],
              isToken: (String) -> Bool) -> Int32? {
        guard count > 0 else { return nil }
        let tag = h >> 32
        var i = Int(truncatingIfNeeded: tag) & mask
        while true {
            let s = slots[i]
            if s == 0 { return nil }
            if s >> 32 == tag {
                let position = Int32(truncatingIfNeeded: s & 0xFFFF_FFFF) - 1
                // Field by field: a copy of the whole record retained its strings.
                let p = Int(position)
                if records[p].tenantID == tenant && records[p].store == store && isToken(records[p].token) {
                    return position
                }
            }
            i = (i + 1) & mask
        }
    }

    /// Starts loading the slot a lookup of `hash` probes first into the cache, a few events before the lookup.
    @inline(__always)
    func prefetch(hash h: UInt64) {
        slots.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return }
            idem_prefetch(base + (Int(truncatingIfNeeded: h >> 32) & mask))
        }
    }

    /// Adds `position`, the record for (`tenant`, `store`, `token`), which must not be in the index yet.
    /// `records` is unused (growing needs only the slots); it stays for callers that pass it.
    mutating func insert(_ position: Int32, tenant: Int32, store: UInt8, token: String, records: [TokenRecord]) {
        insert(position, hash: RecordIndex.hash(tenant, store, token))
    }

    /// `insert` with the key's `hash(_:_:_:)` already taken.
    @inline(__always)
    mutating func insert(_ position: Int32, hash: UInt64) {
        if (count + 1) * 2 > slots.count { grow() }
        place((hash >> 32) << 32 | UInt64(UInt32(bitPattern: position) &+ 1))
        count += 1
    }

    /// Sizes the table for `n` keys at once (a load of at most 1/2, as `insert` keeps).
    mutating func reserveCapacity(_ n: Int) {
        var capacity = max(16, slots.count)
        while n * 2 > capacity { capacity *= 2 }
        guard capacity != slots.count else { return }
        let old = slots
        slots = [UInt64](repeating: 0, count: capacity)
        mask = capacity - 1
        for s in old where s != 0 { place(s) }
    }

    @inline(__always)
    private mutating func place(_ slot: UInt64) {
        var i = Int(truncatingIfNeeded: slot >> 32) & mask
        while slots[i] != 0 { i = (i + 1) & mask }
        slots[i] = slot
    }

    /// Adds the records at positions `first ..< first + n`, none in the index yet, `hash(p)` giving position p's
    /// `RecordIndex.hash`: what a ledger read back from a checkpoint does for all its records at once. The table
    /// is sized once, and the slots are placed grouped by the region of the table they land in (a counting sort on
    /// their home slot's top bits), so the placing walks the table in order instead of missing the cache on every
    /// record as one-by-one inserts do once the table outgrows it.
    mutating func insertAll(from first: Int32, count n: Int, hash: (Int32) -> UInt64) {
        guard n > 0 else { return }
        var capacity = max(16, slots.count)
        while (count + n) * 2 > capacity { capacity *= 2 }
        if capacity != slots.count {
            let old = slots
            slots = [UInt64](repeating: 0, count: capacity)
            mask = capacity - 1
            for s in old where s != 0 { place(s) }
        }
        let bits = capacity.trailingZeroBitCount
        let groupBits = min(bits, 12)
        let shift = bits - groupBits
        var start = [Int](repeating: 0, count: (1 << groupBits) + 1)
        var made = [UInt64](repeating: 0, count: n)
        for k in 0..<n {
            let position = first + Int32(k)
            let slot = (hash(position) >> 32) << 32 | UInt64(UInt32(bitPattern: position) &+ 1)
            made[k] = slot
            start[(Int(truncatingIfNeeded: slot >> 32) & mask) >> shift + 1] += 1
        }
        for g in 0..<(1 << groupBits) { start[g + 1] += start[g] }
        var grouped = [UInt64](repeating: 0, count: n)
        for slot in made {
            let g = (Int(truncatingIfNeeded: slot >> 32) & mask) >> shift
            grouped[start[g]] = slot
            start[g] += 1
        }
        made = []
        for slot in grouped { place(slot) }
        count += n
    }

    /// The table as it is (a checkpoint stores it: `LedgerImage`), a power of two long or empty.
    var storedSlots: [UInt64] { slots }

    /// The table `storedSlots` gave, holding `count` keys; nil when it cannot be one (a length that is not a power
    /// of two, more keys than a load of 1/2 allows, a position at or past `records`, or a count that does not
    /// match its non-empty slots). The hashes are not checked: the caller has checked the bytes' checksums.
    init?(storedSlots: [UInt64], count: Int, records: Int) {
        let capacity = storedSlots.count
        guard capacity == 0 ? count == 0 : capacity.nonzeroBitCount == 1 && capacity >= 16 && count * 2 <= capacity
        else { return nil }
        var seen = 0
        let limit = UInt64(records)
        for s in storedSlots where s != 0 {
            guard s & 0xFFFF_FFFF <= limit, s & 0xFFFF_FFFF > 0 else { return nil }
            seen += 1
        }
        guard seen == count else { return nil }
        slots = storedSlots
        mask = max(0, capacity - 1)
        self.count = count
    }

    /// The position whose key is (`tenant`, `store`, `token`) among the slots of a stored table (`storedSlots`, read
    /// in place), `matches(p)` telling whether position p holds that key: what a checkpoint's summary asks without
    /// decoding the records. `slot(i)` reads slot i (of `capacity`, a power of two).
    static func find(hash h: UInt64, capacity: Int, slot: (Int) throws -> UInt64,
                     matches: (Int32) throws -> Bool) rethrows -> Int32? {
        guard capacity > 0 else { return nil }
        let mask = capacity - 1
        let tag = h >> 32
        var i = Int(truncatingIfNeeded: tag) & mask
        for _ in 0..<capacity {
            let s = try slot(i)
            if s == 0 { return nil }
            if s >> 32 == tag {
                let position = Int32(truncatingIfNeeded: s & 0xFFFF_FFFF) - 1
                if try matches(position) { return position }
            }
            i = (i + 1) & mask
        }
        return nil
    }

    /// Doubles the table, placing each slot again by the hash it keeps.
    private mutating func grow() {
        let old = slots
        let capacity = max(16, slots.count * 2)
        slots = [UInt64](repeating: 0, count: capacity)
        mask = capacity - 1
        for s in old where s != 0 { place(s) }
    }
}

/// The records of the tokens seen last, by their key's hash: a direct-mapped table small enough to stay in the
/// cache (64 KiB), in front of the `RecordIndex`.
///
/// A token's few events (its retries, its completion) lie close together in a journal, while the index's slots are
/// spread over tens of megabytes: each event's probe of the index was a cache miss (8 % of a cold load's samples at
/// a million tokens). A hit here is checked against the record itself (tenant, store, token), so a stale or
/// colliding entry only sends the lookup on to the index; it never answers wrongly.
struct RecentRecords: Sendable {
    /// The hash's high 32 bits and the position + 1, as the index's slots; 0 is empty.
    private var slots = [UInt64](repeating: 0, count: 8192)

    @inline(__always)
    func find(hash h: UInt64, _ tenant: Int32, _ store: UInt8, in records: [TokenRecord],
              isToken: (String) -> Bool) -> Int32? {
        let s = slots[Int(truncatingIfNeeded: h) & 8191]
        guard s >> 32 == h >> 32, s != 0 else { return nil }
        let p = Int(truncatingIfNeeded: s & 0xFFFF_FFFF) - 1
        guard p < records.count, records[p].tenantID == tenant, records[p].store == store, isToken(records[p].token)
        else { return nil }
        return Int32(p)
    }

    @inline(__always)
    mutating func note(hash h: UInt64, _ position: Int32) {
        slots[Int(truncatingIfNeeded: h) & 8191] = (h >> 32) << 32 | UInt64(UInt32(bitPattern: position) &+ 1)
    }
}
