import IdemCore

/// The tracker's rows by token, kept compact: an array of entries (tenant as a small id, token, row state) found
/// through an open-addressing table of 4-byte positions, as the ledger's `RecordIndex` does.
///
/// A `[TokenKey: Seen]` dictionary at a million rows took 2^21 buckets of 96 bytes, and twice that while it grew
/// (about 300 MB at its peak); this takes about 90 MB.
public struct PostgresSeenTable: Sendable {
    struct Entry: Sendable {
        var tenant: Int32
        var live: Bool
        var token: String
        var seen: PostgresChangeTracker.Seen
    }

    private var tenants = Interner()
    private var entries: [Entry] = []
    private var slots: [Int32] = []
    private var mask = 0
    /// Live rows.
    public private(set) var count = 0

    public init() {}

    /// Room for `n` rows without growing (the first read knows the table's estimated size).
    public mutating func reserve(_ n: Int) {
        guard n > entries.count else { return }
        entries.reserveCapacity(n)
        var capacity = max(16, slots.count)
        while capacity < n * 2 { capacity *= 2 }
        if capacity > slots.count { rehash(capacity) }
    }

    public subscript(key: TokenKey) -> PostgresChangeTracker.Seen? {
        guard let i = position(key), entries[i].live else { return nil }
        return entries[i].seen
    }

    /// Sets the row state of `key`.
    public mutating func set(_ key: TokenKey, _ seen: PostgresChangeTracker.Seen) {
        if let i = position(key) {
            if !entries[i].live { count += 1 }
            entries[i].live = true
            entries[i].seen = seen
            return
        }
        if (entries.count + 1) * 2 > slots.count { rehash(max(16, slots.count * 2)) }
        let tenant = tenants.id(key.tenant)
        entries.append(Entry(tenant: tenant, live: true, token: key.token, seen: seen))
        var s = hash(tenant, key.token) & mask
        while slots[s] >= 0 { s = (s + 1) & mask }
        slots[s] = Int32(entries.count - 1)
        count += 1
    }

    /// Forgets `key` (its slot stays, marked gone, and comes back if the token does).
    @discardableResult
    public mutating func remove(_ key: TokenKey) -> PostgresChangeTracker.Seen? {
        guard let i = position(key), entries[i].live else { return nil }
        entries[i].live = false
        count -= 1
        return entries[i].seen
    }

    /// The live keys whose row state satisfies `test`.
    public func keys(where test: (PostgresChangeTracker.Seen) -> Bool) -> [TokenKey] {
        entries.compactMap { e in
            e.live && test(e.seen) ? TokenKey(tenant: tenants[e.tenant], token: e.token) : nil
        }
    }

    private func position(_ key: TokenKey) -> Int? {
        guard !slots.isEmpty, let tenant = tenants.lookup(key.tenant) else { return nil }
        var s = hash(tenant, key.token) & mask
        while true {
            let p = slots[s]
            if p < 0 { return nil }
            let e = entries[Int(p)]
            if e.tenant == tenant && e.token == key.token { return Int(p) }
            s = (s + 1) & mask
        }
    }

    private func hash(_ tenant: Int32, _ token: String) -> Int {
        var h = Hasher()
        h.combine(tenant)
        h.combine(token)
        return h.finalize()
    }

    private mutating func rehash(_ capacity: Int) {
        var fresh = [Int32](repeating: -1, count: capacity)
        let freshMask = capacity - 1
        for (i, e) in entries.enumerated() {
            var s = hash(e.tenant, e.token) & freshMask
            while fresh[s] >= 0 { s = (s + 1) & freshMask }
            fresh[s] = Int32(i)
        }
        slots = fresh
        mask = freshMask
    }
}
