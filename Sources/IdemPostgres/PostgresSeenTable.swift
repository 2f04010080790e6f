import IdemCore

/// The tracker's rows by token, kept compact: an array of entries (tenant as a small id, token, row state) found
/// through an open-addressing table of 4-byte positions, as the ledger's `RecordIndex` does.
///
/// A `[TokenKey: Seen]` dictionary at a million rows took 2^21 buckets of 96 bytes, and twice that while it grew
/// (about 300 MB at its peak); this takes about 90 MB.
public struct PostgresSeenTable: Sendable {
    /// 64 bytes (a `Seen` and a token side by side took 80): the row state's fields in this order leave no
    /// padding, `live` is folded into the tenant's sign, and the row id is a number when it is one.
    struct Entry: Sendable {
        var token: String
        /// The row id's value when it is a plain non-negative integer (rocket-rides' `id`), else
        /// `-(i + 1)` for `rowTexts[i]`.
        var row: Int64
        var createdMs: Int64
        var lockedRaw: Int64
        var expiresMs: Int64
        var xmin32: UInt32
        var version: Int32
        /// The tenant's interned id when live, its complement (negative) when gone.
        var tenantLive: Int32
        var stored: StoredStatus

        var tenant: Int32 { tenantLive < 0 ? ~tenantLive : tenantLive }
        var live: Bool {
            get { tenantLive >= 0 }
            set { if newValue != live { tenantLive = ~tenantLive } }
        }
    }

    /// Row ids that are not plain integers (composite keys, text ids), by `Entry.row`.
    private var rowTexts: [String] = []

    private func seen(of e: Entry) -> PostgresChangeTracker.Seen {
        PostgresChangeTracker.Seen(rowID: e.row >= 0 ? String(e.row) : rowTexts[Int(-(e.row + 1))],
                                   createdMs: e.createdMs, lockedRaw: e.lockedRaw, expiresMs: e.expiresMs,
                                   xmin32: e.xmin32, version: e.version, stored: e.stored)
    }

    /// The `Entry.row` for `rowID`, reusing `old`'s text slot when it had one.
    private mutating func row(for rowID: String, old: Int64?) -> Int64 {
        if let n = Int64(rowID), n >= 0, String(n) == rowID { return n }
        if let old, old < 0 {
            rowTexts[Int(-(old + 1))] = rowID
            return old
        }
        rowTexts.append(rowID)
        return -Int64(rowTexts.count)
    }

    private mutating func store(_ seen: PostgresChangeTracker.Seen, at i: Int) {
        let packed = row(for: seen.rowID, old: entries[i].row)
        entries[i].row = packed
        entries[i].createdMs = seen.createdMs
        entries[i].lockedRaw = seen.lockedRaw
        entries[i].expiresMs = seen.expiresMs
        entries[i].xmin32 = seen.xmin32
        entries[i].version = seen.version
        entries[i].stored = seen.stored
    }

    private var tenants = Interner()
    /// Recent tenants by their fast hash, in front of the interner's dictionary (SipHash and a probe a row):
    /// a table's tenants repeat row after row.
    private var tenantCache = [TenantSlot](repeating: TenantSlot(name: "", id: -1), count: 4096)
    struct TenantSlot: Sendable {
        var name: String
        var id: Int32
    }
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

    /// Where `key` is (its entry) or would go (a free slot), found with one hash and one probe: what
    /// `observe` reads and then sets, so a row of the first read costs one lookup, not three.
    public struct Handle: Sendable {
        fileprivate var entry: Int32
        fileprivate var slot: Int
        fileprivate var tenant: Int32
    }

    public subscript(key: TokenKey) -> PostgresChangeTracker.Seen? {
        guard let i = position(key), entries[i].live else { return nil }
        return seen(of: entries[i])
    }

    /// The handle for `key` (interning its tenant), valid until the table is next changed.
    public mutating func handle(_ key: TokenKey) -> Handle {
        if slots.isEmpty || (entries.count + 1) * 2 > slots.count { rehash(max(16, slots.count * 2)) }
        let tenant = tenantID(key.tenant)
        var s = PostgresSeenTable.hash(tenant, key.token) & mask
        while true {
            let p = slots[s]
            if p < 0 { return Handle(entry: -1, slot: s, tenant: tenant) }
            if entries[Int(p)].tenant == tenant && entries[Int(p)].token == key.token {
                return Handle(entry: p, slot: s, tenant: tenant)
            }
            s = (s + 1) & mask
        }
    }

    /// The interned id of `name`, through the cache.
    private mutating func tenantID(_ name: String) -> Int32 {
        let c = PostgresSeenTable.hash(0, name) & (tenantCache.count - 1)
        if tenantCache[c].id >= 0 && tenantCache[c].name == name { return tenantCache[c].id }
        let id = tenants.id(name)
        tenantCache[c] = TenantSlot(name: name, id: id)
        return id
    }

    /// The live row state at `h`.
    public func seen(_ h: Handle) -> PostgresChangeTracker.Seen? {
        guard h.entry >= 0, entries[Int(h.entry)].live else { return nil }
        return seen(of: entries[Int(h.entry)])
    }

    /// Sets the row state of `key` at its handle (from `handle(key)`, with no change to the table since).
    public mutating func set(_ h: Handle, _ key: TokenKey, _ seen: PostgresChangeTracker.Seen) {
        if h.entry >= 0 {
            let i = Int(h.entry)
            if !entries[i].live { count += 1 }
            entries[i].live = true
            store(seen, at: i)
            return
        }
        let packed = row(for: seen.rowID, old: nil)
        entries.append(Entry(token: key.token, row: packed, createdMs: seen.createdMs,
                             lockedRaw: seen.lockedRaw, expiresMs: seen.expiresMs, xmin32: seen.xmin32,
                             version: seen.version, tenantLive: h.tenant, stored: seen.stored))
        slots[h.slot] = Int32(entries.count - 1)
        count += 1
    }

    /// Sets the row state of `key`.
    public mutating func set(_ key: TokenKey, _ seen: PostgresChangeTracker.Seen) {
        set(handle(key), key, seen)
    }

    /// Forgets `key` (its slot stays, marked gone, and comes back if the token does).
    @discardableResult
    public mutating func remove(_ key: TokenKey) -> PostgresChangeTracker.Seen? {
        guard let i = position(key), entries[i].live else { return nil }
        entries[i].live = false
        count -= 1
        return seen(of: entries[i])
    }

    /// The live keys whose row state satisfies `test`.
    public func keys(where test: (PostgresChangeTracker.Seen) -> Bool) -> [TokenKey] {
        entries.compactMap { e in
            e.live && test(seen(of: e)) ? TokenKey(tenant: tenants[e.tenant], token: e.token) : nil
        }
    }

    private func position(_ key: TokenKey) -> Int? {
        guard !slots.isEmpty, let tenant = tenants.lookup(key.tenant) else { return nil }
        var s = PostgresSeenTable.hash(tenant, key.token) & mask
        while true {
            let p = slots[s]
            if p < 0 { return nil }
            let e = entries[Int(p)]
            if e.tenant == tenant && e.token == key.token { return Int(p) }
            s = (s + 1) & mask
        }
    }

    /// A multiply-rotate hash of the token's UTF-8 bytes, eight at a time, and the tenant's id: cheaper than
    /// `Hasher` (SipHash), which took the largest share of the tracker's time on the first read. Tokens come from
    /// the service's clients, so the seed is random per process: crafted keys cannot aim at one probe chain.
    static func hash(_ tenant: Int32, _ token: String) -> Int {
        var h = seed ^ (UInt64(UInt32(bitPattern: tenant)) &* 0x9E37_79B9_7F4A_7C15)
        var copy = token
        copy.withUTF8 { b in
            var i = 0
            let n = b.count
            while i + 8 <= n {
                h = (h ^ UnsafeRawPointer(b.baseAddress! + i).loadUnaligned(as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
                h = (h << 29) | (h >> 35)
                i += 8
            }
            var tail: UInt64 = UInt64(n) << 56
            var shift: UInt64 = 0
            while i < n {
                tail |= UInt64(b[i]) << shift
                shift += 8
                i += 1
            }
            h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        }
        h ^= h >> 33
        h = h &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 29
        return Int(truncatingIfNeeded: h)
    }

    private static let seed = UInt64.random(in: 0...UInt64.max)

    private mutating func rehash(_ capacity: Int) {
        var fresh = [Int32](repeating: -1, count: capacity)
        let freshMask = capacity - 1
        for (i, e) in entries.enumerated() {
            var s = PostgresSeenTable.hash(e.tenant, e.token) & freshMask
            while fresh[s] >= 0 { s = (s + 1) & freshMask }
            fresh[s] = Int32(i)
        }
        slots = fresh
        mask = freshMask
    }
}
