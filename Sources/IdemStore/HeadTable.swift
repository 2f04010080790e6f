/// An open-addressing hash table from a non-zero 32-bit key to an `Int32`, linear probing, never shrinking.
///
/// Eight bytes a slot: the token index's map from a token's hash to its newest entry.
struct HeadTable {
    private var keys = [UInt32](repeating: 0, count: 1024)
    private var values = [Int32](repeating: -1, count: 1024)
    private var used = 0

    var approximateBytes: Int { keys.count * 8 }

    /// Stores `value` under `key` (not 0); returns the value it replaces, or -1.
    mutating func exchange(_ key: UInt32, _ value: Int32) -> Int32 {
        if (used + 1) * 10 > keys.count * 7 { grow() }
        let mask = keys.count - 1
        var i = Int(key) & mask
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
    func value(_ key: UInt32) -> Int32 {
        let mask = keys.count - 1
        var i = Int(key) & mask
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
        keys = [UInt32](repeating: 0, count: oldKeys.count * 2)
        values = [Int32](repeating: -1, count: oldKeys.count * 2)
        used = 0
        for (k, v) in zip(oldKeys, oldValues) where k != 0 { _ = exchange(k, v) }
    }
}
