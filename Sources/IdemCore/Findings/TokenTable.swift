/// An open-addressing table from a token's `StableHash` to its current lifetime and last hit.
///
/// Flat 32-byte entries with no strings and no reference counting: one probe reads one cache line. Linear probing,
/// at most 60% full; when it fills, stale entries are dropped by a caller's predicate while the table is rebuilt,
/// growing only if it is still over 35% full, so each entry is moved an amortised constant number of times.
struct TokenTable: Sendable {
    struct Entry: Sendable {
        /// The token's hash; 0 marks an empty slot.
        var hash: UInt64 = 0
        /// When the current execution began, 0 when unknown.
        var executedAt: Int64 = 0
        /// When the token expires, 0 when unknown.
        var expiresAt: Int64 = 0
        var lastHit: Int64 = .min
    }

    private(set) var entries: [Entry]
    private(set) var count = 0
    private var mask: Int

    init(capacity: Int = 1 << 12) {
        var c = 16
        while c < capacity { c <<= 1 }
        entries = Array(repeating: Entry(), count: c)
        mask = c - 1
    }

    var capacity: Int { entries.count }

    /// Whether one more insertion would pass 60% full: the caller should `rebuild` first.
    var isFull: Bool { (count + 1) * 5 > entries.count * 3 }

    /// Runs `body` on the entry for `hash`, inserting an empty one (with `hash` set) when absent.
    @inline(__always)
    mutating func withEntry<R>(_ hash: UInt64, _ body: (inout Entry, _ isNew: Bool) -> R) -> R {
        let m = mask
        var inserted = false
        let result: R = entries.withUnsafeMutableBufferPointer { buf in
            var i = Int(truncatingIfNeeded: hash) & m
            while true {
                let h = buf[i].hash
                if h == hash { return body(&buf[i], false) }
                if h == 0 {
                    buf[i].hash = hash
                    inserted = true
                    return body(&buf[i], true)
                }
                i = (i + 1) & m
            }
        }
        if inserted { count += 1 }
        return result
    }

    /// Runs `body` on the entry for `hash` if present.
    @inline(__always)
    mutating func update(_ hash: UInt64, _ body: (inout Entry) -> Void) {
        let m = mask
        entries.withUnsafeMutableBufferPointer { buf in
            var i = Int(truncatingIfNeeded: hash) & m
            while buf[i].hash != 0 {
                if buf[i].hash == hash { body(&buf[i]); return }
                i = (i + 1) & m
            }
        }
    }

    /// Rebuilds the table with only the entries `keep` accepts, doubling the capacity while they fill over 35%.
    mutating func rebuild(keeping keep: (Entry) -> Bool) {
        let live = entries.filter { $0.hash != 0 && keep($0) }
        var c = entries.count
        while live.count * 20 > c * 7 { c <<= 1 }
        var fresh = TokenTable(capacity: c)
        fresh.entries.withUnsafeMutableBufferPointer { buf in
            let m = fresh.mask
            for e in live {
                var i = Int(truncatingIfNeeded: e.hash) & m
                while buf[i].hash != 0 { i = (i + 1) & m }
                buf[i] = e
            }
        }
        fresh.count = live.count
        self = fresh
    }
}
