/// An open-addressing hash table from a non-zero 32-bit key to an `Int32`, linear probing, never shrinking.
///
/// Eight bytes a slot, key and value side by side so a lookup touches one cache line: the token index's map from a
/// token's hash to its newest entry. With a million tokens the table is far larger than the caches, and each event's
/// lookup is a cache miss; one miss instead of two (separate key and value arrays) is what matters here.
struct HeadTable {
    /// Key in the high 32 bits, value in the low 32; 0 is an empty slot (keys are never 0).
    private var slots = [UInt64](repeating: 0, count: 1024)
    private var used = 0

    var approximateBytes: Int { slots.count * 8 }

    /// Stores `value` under `key` (not 0); returns the value it replaces, or -1.
    mutating func exchange(_ key: UInt32, _ value: Int32) -> Int32 {
        if (used + 1) * 10 > slots.count * 7 { grow() }
        let packed = UInt64(key) << 32 | UInt64(UInt32(bitPattern: value))
        let mask = slots.count - 1
        var i = Int(key) & mask
        while true {
            let s = slots[i]
            if s == 0 {
                slots[i] = packed
                used += 1
                return -1
            }
            if UInt32(truncatingIfNeeded: s >> 32) == key {
                slots[i] = packed
                return Int32(bitPattern: UInt32(truncatingIfNeeded: s))
            }
            i = (i + 1) & mask
        }
    }

    /// The value under `key`, or -1.
    func value(_ key: UInt32) -> Int32 {
        let mask = slots.count - 1
        var i = Int(key) & mask
        while true {
            let s = slots[i]
            if s == 0 { return -1 }
            if UInt32(truncatingIfNeeded: s >> 32) == key { return Int32(bitPattern: UInt32(truncatingIfNeeded: s)) }
            i = (i + 1) & mask
        }
    }

    private mutating func grow() {
        let old = slots
        slots = [UInt64](repeating: 0, count: old.count * 2)
        used = 0
        for s in old where s != 0 {
            _ = exchange(UInt32(truncatingIfNeeded: s >> 32), Int32(bitPattern: UInt32(truncatingIfNeeded: s)))
        }
    }
}
