/// Where each token's lines are in the journal, kept compact: one chain of line positions per token.
///
/// A million tokens with three million events must fit beside the ledger, so there is no array per token. Every
/// event adds one entry to two paged arrays (its position, and the index of the same token's previous entry: 12 bytes
/// an event, no doubling slack), and an open-addressing table maps a 32-bit hash of (tenant, token) to the token's
/// newest entry (8 bytes a slot, at most 70% full). Tokens whose hashes collide share a chain; `detail` decodes each
/// line anyway and keeps only those of the token asked for.
///
/// Line numbers are not stored: a line is either an event (an entry) or skipped (empty or malformed), so an entry's
/// line number is its place among its generation's entries plus the skipped lines before it, which are few and kept.
struct TokenChainIndex {
    /// Position of a line: the file generation in the top 16 bits, the byte offset in the rest.
    private var positions = PagedArray<Int64>()
    /// The index of the same chain's previous entry, or -1.
    private var previous = PagedArray<Int32>()
    private var heads = HeadTable()
    /// The entry index at which each generation (a truncation or rotation starts one) began.
    private var generationStarts: [Int32] = [0]
    /// One value per skipped line: its generation in the top 32 bits, the number of entries before it in the rest.
    private var skipped: [Int64] = []

    static let offsetBits: Int64 = 48
    static let offsetMask: Int64 = (1 << offsetBits) - 1

    /// One entry as `detail` reads it back.
    struct Entry: Hashable {
        var generation: Int
        var offset: Int64
        var line: Int64
    }

    var count: Int { positions.count }
    var generation: Int { generationStarts.count - 1 }

    /// The chain's key: a hash of tenant and token (collisions are filtered out by the caller), never 0.
    static func hash(tenant: String, token: String) -> UInt32 {
        var h: UInt64 = 0x243F_6A88_85A3_08D3
        mix(tenant, &h)
        h = (h ^ 0xFF) &* 0x9E37_79B9_7F4A_7C15
        mix(token, &h)
        h ^= h >> 33
        h = h &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        let folded = UInt32(truncatingIfNeeded: h)
        return folded == 0 ? 1 : folded
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

    /// Adds an event's line (in the current generation) to its token's chain.
    mutating func add(tenant: String, token: String, offset: Int64) {
        guard positions.count < Int(Int32.max), offset <= TokenChainIndex.offsetMask else { return }
        let index = Int32(positions.count)
        positions.append(Int64(generation & 0xFFFF) << TokenChainIndex.offsetBits | offset)
        previous.append(heads.exchange(TokenChainIndex.hash(tenant: tenant, token: token), index))
    }

    /// Notes a line that holds no event (empty or malformed), so later line numbers stay right.
    mutating func skipLine() {
        skipped.append(Int64(generation) << 32 | Int64(positions.count))
    }

    /// Starts a new generation: the file was truncated or rotated, line numbers start again from 1.
    mutating func startGeneration() {
        generationStarts.append(Int32(positions.count))
    }

    /// The entries of the chain `tenant`/`token` falls in, oldest first.
    func entries(tenant: String, token: String) -> [Entry] {
        var i = heads.value(TokenChainIndex.hash(tenant: tenant, token: token))
        var out: [Entry] = []
        while i >= 0 {
            let p = positions[Int(i)]
            out.append(Entry(generation: Int(p >> TokenChainIndex.offsetBits), offset: p & TokenChainIndex.offsetMask,
                             line: line(of: Int(i))))
            i = previous[Int(i)]
        }
        return out.reversed()
    }

    /// The 1-based line number of entry `i` in its generation's file.
    func line(of i: Int) -> Int64 {
        // The generation: the last one started at or before entry i.
        var lo = 0, hi = generationStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if Int(generationStarts[mid]) <= i { lo = mid } else { hi = mid - 1 }
        }
        let g = Int64(lo)
        let first = Int64(generationStarts[lo])
        return Int64(i) - first + 1 + Int64(countSkipped(from: g << 32 | first, through: g << 32 | Int64(i)))
    }

    /// How many skipped values lie in `low...high` (the array is sorted).
    private func countSkipped(from low: Int64, through high: Int64) -> Int {
        func firstIndex(above v: Int64) -> Int {
            var lo = 0, hi = skipped.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if skipped[mid] <= v { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }
        return firstIndex(above: high) - firstIndex(above: low - 1)
    }

    /// Bytes held, for the benchmark's memory figures.
    var approximateBytes: Int {
        positions.approximateBytes + previous.approximateBytes + heads.approximateBytes + skipped.capacity * 8
    }
}
