import Foundation

/// A small direct-mapped cache from bytes to a `String` made from them earlier.
///
/// Tenants and operations repeat on nearly every journal line: handing back the String made the first time costs a
/// hash and a compare instead of an allocation, and lets a million records share a few dozen strings.
struct ByteStringCache {
    private static let slotCount = 512
    private var keys: [[UInt8]]
    private var values: [String]

    init() {
        keys = Array(repeating: [], count: ByteStringCache.slotCount)
        values = Array(repeating: "", count: ByteStringCache.slotCount)
    }

    /// The String for `bytes`: a cached one when the same bytes were seen before.
    mutating func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        // Long strings are rarely repeated and cost more to compare than to copy.
        guard bytes.count <= 96, let base = bytes.baseAddress else { return String(decoding: bytes, as: UTF8.self) }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for c in bytes { h = (h ^ UInt64(c)) &* 0x100_0000_01b3 }
        let slot = Int(truncatingIfNeeded: (h ^ (h >> 29)) & UInt64(ByteStringCache.slotCount - 1))
        let hit = keys[slot].withUnsafeBufferPointer { k in
            guard k.count == bytes.count else { return false }
            guard let kb = k.baseAddress else { return true }
            return memcmp(kb, base, k.count) == 0
        }
        if hit { return values[slot] }
        let s = String(decoding: bytes, as: UTF8.self)
        keys[slot] = Array(bytes)
        values[slot] = s
        return s
    }
}
