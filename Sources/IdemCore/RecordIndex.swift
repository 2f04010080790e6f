/// Finds a token's record by (tenant id, token) with 4 bytes a slot: an open-addressing table of record positions
/// whose keys live in the records themselves.
///
/// A `[Key: Int32]` dictionary keeps a second copy of every key (24 bytes a slot, at a load of at most 3/4); at a
/// million tokens this index is about 8 MB where the dictionary took about 56 MB.
struct RecordIndex: Sendable {
    private var slots: [Int32] = []
    private var mask = 0
    private(set) var count = 0

    @inline(__always)
    static func hash(_ tenant: Int32, _ store: UInt8, _ token: String) -> Int {
        var h = Hasher()
        h.combine(tenant)
        h.combine(store)
        h.combine(token)
        return h.finalize()
    }

    /// The position of the record for (`tenant`, `store`, `token`) in `records`, if there is one.
    func find(_ tenant: Int32, _ store: UInt8, _ token: String, in records: [TokenRecord]) -> Int32? {
        guard count > 0 else { return nil }
        var i = RecordIndex.hash(tenant, store, token) & mask
        while true {
            let s = slots[i]
            if s < 0 { return nil }
            let r = records[Int(s)]
            if r.tenantID == tenant && r.store == store && r.token == token { return s }
            i = (i + 1) & mask
        }
    }

    /// Adds `position`, the record for (`tenant`, `store`, `token`), which must not be in the index yet; `records`
    /// must already hold it (growing the table rehashes from the records).
    mutating func insert(_ position: Int32, tenant: Int32, store: UInt8, token: String, records: [TokenRecord]) {
        if (count + 1) * 2 > slots.count { grow(records) }
        var i = RecordIndex.hash(tenant, store, token) & mask
        while slots[i] >= 0 { i = (i + 1) & mask }
        slots[i] = position
        count += 1
    }

    private mutating func grow(_ records: [TokenRecord]) {
        let capacity = max(16, slots.count * 2)
        var fresh = [Int32](repeating: -1, count: capacity)
        let freshMask = capacity - 1
        for s in slots where s >= 0 {
            let r = records[Int(s)]
            var i = RecordIndex.hash(r.tenantID, r.store, r.token) & freshMask
            while fresh[i] >= 0 { i = (i + 1) & freshMask }
            fresh[i] = s
        }
        slots = fresh
        mask = freshMask
    }
}
