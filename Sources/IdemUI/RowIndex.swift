import IdemCore

/// The table's rows: indexes into `ledger.records`, filtered and sorted, rebuilt at a capped rate and never per frame.
public struct RowIndex: Sendable, Hashable {
    public private(set) var rows: [Int32] = []
    /// How many records the ledger held when the index was built.
    public private(set) var builtOver = 0

    public init() {}

    public var count: Int { rows.count }
    public subscript(i: Int) -> Int32 { rows[i] }

    /// The row showing record `record`, if it is in the index.
    public func row(of record: Int32) -> Int? { rows.firstIndex(of: record) }

    /// Rebuilds from the whole ledger.
    public mutating func rebuild(ledger: Ledger, filter: Filter, sort: Column, descending: Bool, now: Instant,
                                 findings: [Finding] = [], bodies: [String: Set<Int32>] = [:]) {
        let matcher = FilterMatcher(filter, ledger: ledger, now: now, findings: findings, bodies: bodies)
        var out: [Int32] = []
        ledger.records.withUnsafeBufferPointer { recs in
            out = matcher.select(recs)
            RowIndex.sort(&out, recs, ledger: ledger, by: sort, descending: descending, now: now)
        }
        rows = out
        builtOver = ledger.records.count
    }

    static func sort(_ rows: inout [Int32], _ recs: UnsafeBufferPointer<TokenRecord>, ledger: Ledger, by column: Column,
                     descending: Bool, now: Instant) {
        // Sort by an integer key per row with the record index as the tie-break, so the order is total and stable.
        func byKey(_ key: (TokenRecord) -> Int64) {
            if radixSort(&rows, descending: descending, key: { key(recs[Int($0)]) }) { return }
            var keyed = rows.map { (key(recs[Int($0)]), $0) }
            if descending {
                keyed.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
            } else {
                keyed.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            }
            for i in keyed.indices { rows[i] = keyed[i].1 }
        }
        func byRank(_ strings: [String], _ id: (TokenRecord) -> Int32) {
            // Rank the interned strings once; records then sort by an integer.
            let order = strings.indices.sorted { strings[$0] < strings[$1] }
            var rank = [Int64](repeating: 0, count: strings.count)
            for (r, i) in order.enumerated() { rank[i] = Int64(r) }
            byKey { rank[Int(id($0))] }
        }
        switch column {
        case .status: byKey { Int64($0.status(at: now).attentionRank) }
        case .tenant: byRank(ledger.tenants.strings) { $0.tenantID }
        case .store: byRank(ledger.storeNames.isEmpty ? [""] : ledger.storeNames) { Int32($0.store) }
        case .operation: byRank(ledger.operations.strings) { $0.operationID }
        case .age: byKey { -$0.createdAt.ms }
        case .expires: byKey { $0.expiresAt.ms }
        case .hits: byKey { Int64($0.hits) }
        case .mismatches: byKey { Int64($0.mismatches) }
        case .conflicts: byKey { Int64($0.conflicts) }
        case .lastSeen: byKey { $0.lastSeen.ms }
        case .token:
            // Byte order, not Unicode collation: a packed 8-byte prefix decides almost every pair.
            var keyed = rows.map { (prefix(recs[Int($0)].token), $0) }
            /// -1, 0 or 1 as a's token sorts before, with, or after b's.
            func order(_ a: (UInt64, Int32), _ b: (UInt64, Int32)) -> Int {
                if a.0 != b.0 { return a.0 < b.0 ? -1 : 1 }
                let ta = recs[Int(a.1)].token.utf8, tb = recs[Int(b.1)].token.utf8
                if ta.elementsEqual(tb) { return 0 }
                return ta.lexicographicallyPrecedes(tb) ? -1 : 1
            }
            let sign = descending ? -1 : 1
            keyed.sort { a, b in
                let o = order(a, b) * sign
                return o != 0 ? o < 0 : a.1 < b.1
            }
            for i in keyed.indices { rows[i] = keyed[i].1 }
        }
    }

    /// Sorts `rows`, which must be in ascending order (as a filter selects them), by `key` (descending or not)
    /// with the row's own value as the tie-break: the comparison sort's order, by a stable least-significant-digit
    /// radix sort over 16-bit digits of the key, skipping the digits every row shares (a million rows in a few
    /// passes of a few milliseconds, where the comparison sort took 100-150 ms). False, and `rows` untouched, when
    /// they are not ascending or too few to be worth it.
    static func radixSort(_ rows: inout [Int32], descending: Bool, key: (Int32) -> Int64) -> Bool {
        let n = rows.count
        guard n >= 4096 else { return false }
        for i in 1..<n where rows[i - 1] >= rows[i] { return false }
        // Order-preserving unsigned keys (sign bit flipped); descending: their complement.
        @inline(__always) func digit(_ u: UInt64, _ d: Int) -> Int { Int(truncatingIfNeeded: (u >> UInt64(16 * d)) & 0xFFFF) }
        let flip: UInt64 = descending ? ~(1 << 63) : 1 << 63
        var keys = [UInt64](repeating: 0, count: n)
        var counts = [Int](repeating: 0, count: 4 << 16)
        keys.withUnsafeMutableBufferPointer { k in
            counts.withUnsafeMutableBufferPointer { c in
                for i in 0..<n {
                    let u = UInt64(bitPattern: key(rows[i])) ^ flip
                    k[i] = u
                    c[digit(u, 0)] += 1
                    c[1 << 16 | digit(u, 1)] += 1
                    c[2 << 16 | digit(u, 2)] += 1
                    c[3 << 16 | digit(u, 3)] += 1
                }
            }
        }
        var rowsOut = [Int32](repeating: 0, count: n)
        var keysOut = [UInt64](repeating: 0, count: n)
        for d in 0..<4 {
            let base = d << 16
            // A digit every row shares moves nothing.
            if counts[base | digit(keys[0], d)] == n { continue }
            counts.withUnsafeMutableBufferPointer { c in
                var start = 0
                for v in base..<(base + (1 << 16)) {
                    let count = c[v]
                    c[v] = start
                    start += count
                }
                rows.withUnsafeBufferPointer { r in
                    keys.withUnsafeBufferPointer { k in
                        rowsOut.withUnsafeMutableBufferPointer { ro in
                            keysOut.withUnsafeMutableBufferPointer { ko in
                                for i in 0..<n {
                                    let slot = base | digit(k[i], d)
                                    let at = c[slot]
                                    c[slot] = at + 1
                                    ro[at] = r[i]
                                    ko[at] = k[i]
                                }
                            }
                        }
                    }
                }
            }
            swap(&rows, &rowsOut)
            swap(&keys, &keysOut)
        }
        return true
    }

    /// The first eight UTF-8 bytes of a string, big-endian, so integer order is byte order.
    static func prefix(_ s: String) -> UInt64 {
        var v: UInt64 = 0
        var n = 0
        for b in s.utf8 {
            if n == 8 { break }
            v = v << 8 | UInt64(b)
            n += 1
        }
        return v << (8 * UInt64(8 - n))
    }
}
