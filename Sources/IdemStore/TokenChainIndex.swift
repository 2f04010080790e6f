/// Where each token's lines are in the journal, kept compact: one chain of line positions per token.
///
/// A million tokens with three million events must fit beside the ledger, so there is no array per token. Every
/// event adds one entry to three flat arrays (its position, its line number, the index of the same token's previous
/// entry: 16 bytes), and a dictionary maps a hash of (tenant, token) to the token's newest entry. Two tokens whose
/// hashes collide share a chain; `detail` decodes each line anyway and keeps those of the token asked for.
struct TokenChainIndex {
    /// Position of a line: the file generation in the top 16 bits, the byte offset in the rest.
    private var positions: [Int64] = []
    /// The line number of each entry (saturating at `UInt32.max`).
    private var lines: [UInt32] = []
    /// The index of the same chain's previous entry, or -1.
    private var previous: [Int32] = []
    private var heads: [Int: Int32] = [:]

    static let offsetBits: Int64 = 48
    static let offsetMask: Int64 = (1 << offsetBits) - 1

    /// One entry as `detail` reads it back.
    struct Entry: Hashable {
        var generation: Int
        var offset: Int64
        var line: Int64
    }

    var count: Int { positions.count }

    /// The chain's key: a hash of tenant and token (collisions are filtered out by the caller).
    static func hash(tenant: String, token: String) -> Int {
        var h = Hasher()
        h.combine(tenant)
        h.combine(token)
        return h.finalize()
    }

    /// Adds an event's line to its token's chain.
    mutating func add(tenant: String, token: String, generation: Int, offset: Int64, line: Int64) {
        guard positions.count < Int(Int32.max), offset <= TokenChainIndex.offsetMask else { return }
        let key = TokenChainIndex.hash(tenant: tenant, token: token)
        let index = Int32(positions.count)
        positions.append(Int64(generation & 0xFFFF) << TokenChainIndex.offsetBits | offset)
        lines.append(UInt32(clamping: line))
        previous.append(heads.updateValue(index, forKey: key) ?? -1)
    }

    /// The entries of the chain `tenant`/`token` falls in, oldest first.
    func entries(tenant: String, token: String) -> [Entry] {
        guard var i = heads[TokenChainIndex.hash(tenant: tenant, token: token)] else { return [] }
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
        positions.capacity * 8 + lines.capacity * 4 + previous.capacity * 4 + heads.capacity * 13
    }
}
