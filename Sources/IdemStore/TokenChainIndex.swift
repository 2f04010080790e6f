/// Where each token's lines are in the journal, kept compact: one chain of line positions per token.
///
/// A million tokens with three million events must fit beside the ledger, so there is no array per token. Every
/// event adds one entry to three flat arrays (its position, its line number, the index of the same token's previous
/// entry: 16 bytes), and an open-addressing table maps a 64-bit hash of (tenant, token) to the token's newest entry
/// (12 bytes a slot, at most 70% full). Two tokens whose hashes collide share a chain; `detail` decodes each line
/// anyway and keeps those of the token asked for.
struct TokenChainIndex {
    /// Position of a line: the file generation in the top 16 bits, the byte offset in the rest.
    private var positions: [Int64] = []
    /// The line number of each entry (saturating at `UInt32.max`).
    private var lines: [UInt32] = []
    /// The index of the same chain's previous entry, or -1.
    private var previous: [Int32] = []
    private var heads = HeadTable()

    static let offsetBits: Int64 = 48
    static let offsetMask: Int64 = (1 << offsetBits) - 1

    /// One entry as `detail` reads it back.
    struct Entry: Hashable {
        var generation: Int
        var offset: Int64
        var line: Int64
    }

    var count: Int { positions.count }

    /// The chain's key: a 64-bit hash of tenant and token (collisions are filtered out by the caller), never 0.
    static func hash(tenant: String, token: String) -> UInt64 {
        var h: UInt64 = 0x243F_6A88_85A3_08D3
        mix(tenant, &h)
        h = (h ^ 0xFF) &* 0x9E37_79B9_7F4A_7C15
        mix(token, &h)
        h ^= h >> 33
        h = h &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        return h == 0 ? 1 : h
    }

    @inline(__always) private static func mix(_ s: String, _ h: inout UInt64) {
        let done: Bool? = s.utf8.withContiguousStorageIfAvailable { b in
            guard let p = b.baseAddress else { return true }
            var i = 0
            while i + 8 <= b.count {
                h = (h ^ UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
                h ^= h >> 29
                i += 8
            }
            while i < b.count {
                h = (h ^ UInt64(p[i])) &* 0x100_0000_01B3
                i += 1
            }
            return true
        }
        if done == nil {
            for c in s.utf8 { h = (h ^ UInt64(c)) &* 0x100_0000_01B3 }
        }
        h = (h ^ UInt64(s.utf8.count)) &* 0x9E37_79B9_7F4A_7C15
    }

    /// Adds an event's line to its token's chain.
    mutating func add(tenant: String, token: String, generation: Int, offset: Int64, line: Int64) {
        guard positions.count < Int(Int32.max), offset <= TokenChainIndex.offsetMask else { return }
        let key = TokenChainIndex.hash(tenant: tenant, token: token)
        let index = Int32(positions.count)
        positions.append(Int64(generation & 0xFFFF) << TokenChainIndex.offsetBits | offset)
        lines.append(UInt32(clamping: line))
        previous.append(heads.exchange(key, index))
    }

    /// The entries of the chain `tenant`/`token` falls in, oldest first.
    func entries(tenant: String, token: String) -> [Entry] {
        var i = heads.value(TokenChainIndex.hash(tenant: tenant, token: token))
        var out: [Entry] = []
        while i >= 0 {
            let p = positions[Int(i)]
            out.append(Entry(generation: Int(p >> TokenChainIndex.offsetBits), offset: p & TokenChainIndex.offsetMask,
                             line: Int64(lines[Int(i)])))
            i = previous[Int(i)]
        }
        return out.reversed()
    }

    /// Bytes held, for the benchmark's memory figures (capacity, not count).
    var approximateBytes: Int {
        positions.capacity * 8 + lines.capacity * 4 + previous.capacity * 4 + heads.approximateBytes
    }
}

/// An open-addressing hash table from a non-zero 64-bit key to an `Int32`, linear probing, never shrinking.
struct HeadTable {
    private var keys = [UInt64](repeating: 0, count: 1024)
    private var values = [Int32](repeating: -1, count: 1024)
    private var used = 0

    var approximateBytes: Int { keys.count * 12 }

    /// Stores `value` under `key`; returns the value it replaces, or -1.
    mutating func exchange(_ key: UInt64, _ value: Int32) -> Int32 {
        if (used + 1) * 10 > keys.count * 7 { grow() }
        let mask = keys.count - 1
        var i = Int(truncatingIfNeeded: key) & mask
        while true {
            let k = keys[i]
            if k == key {
                let old = values[i]
                values[i] = value
                return old
            }
            if k == 0 {
                keys[i] = key
                values[i] = value
                used += 1
                return -1
            }
            i = (i + 1) & mask
        }
    }

    /// The value under `key`, or -1.
    func value(_ key: UInt64) -> Int32 {
        let mask = keys.count - 1
        var i = Int(truncatingIfNeeded: key) & mask
        while true {
            let k = keys[i]
            if k == key { return values[i] }
            if k == 0 { return -1 }
            i = (i + 1) & mask
        }
    }

    private mutating func grow() {
        let oldKeys = keys
        let oldValues = values
        keys = [UInt64](repeating: 0, count: oldKeys.count * 2)
        values = [Int32](repeating: -1, count: oldKeys.count * 2)
        used = 0
        for (k, v) in zip(oldKeys, oldValues) where k != 0 { _ = exchange(k, v) }
    }
}
