import Foundation

/// A small direct-mapped cache from bytes to a `String` made from them earlier.
///
/// Tenants and operations repeat on nearly every journal line, and a token on the few lines of its retries and
/// completion: handing back the String made the first time costs a hash and a compare instead of an allocation and
/// a UTF-8 validation, and lets the records share the strings (the fold's compare of two equal tokens is then a
/// pointer check). A slot is compared against its String's own bytes, so a miss allocates only the new String.
struct ByteStringCache {
    private var values: [String?]
    private let mask: Int
    /// Longer strings are rarely repeated and cost more to compare than to copy.
    private let longest: Int

    /// A cache of `slots` entries (a power of two) for strings of at most `longest` bytes.
    init(slots: Int = 512, longest: Int = 96) {
        precondition(slots > 0 && slots & (slots - 1) == 0, "ByteStringCache: slots must be a power of two")
        values = Array(repeating: nil, count: slots)
        mask = slots - 1
        self.longest = longest
    }

    /// The String for `bytes`: a cached one when the same bytes were seen before.
    mutating func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard bytes.count <= longest, let base = bytes.baseAddress else { return String(decoding: bytes, as: UTF8.self) }
        let raw = UnsafeRawPointer(base)
        let n = bytes.count
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(n)
        var i = 0
        while i + 8 <= n {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
            h ^= h >> 29
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < n {
            tail |= UInt64(base[i]) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* 0x9E37_79B9_7F4A_7C15
        let slot = Int(truncatingIfNeeded: h ^ (h >> 32)) & mask
        if var cached = values[slot] {
            let hit = cached.withUTF8 { k in
                k.count == n && (n == 0 || k.baseAddress.map { memcmp($0, base, n) == 0 } == true)
            }
            if hit { return cached }
        }
        let s = String(decoding: bytes, as: UTF8.self)
        values[slot] = s
        return s
    }
}
