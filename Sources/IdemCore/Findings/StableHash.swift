/// A fast 64-bit hash of the strings that identify a token or a payload, for the detectors' hottest tables.
///
/// Swift's `Hasher` is seeded SipHash and a `String` key is compared by reading its heap bytes on every probe; at
/// millions of events that dominates. The detectors instead key their per-token and per-payload tables by this
/// 64-bit value (8 bytes at a time, multiply-rotate, a SplitMix64 finish). Two different tokens get the same value
/// with probability about 2^-64 per pair, which the detectors accept: the worst case is two tokens' hit counts
/// merged. It is not keyed, so a client crafting colliding tokens could do that on purpose; nothing it decides
/// depends on it beyond a finding's counts.
enum StableHash {
    static let seed: UInt64 = 0x243F_6A88_85A3_08D3

    /// The hash of a token in its tenant.
    static func of(tenant: String, token: String) -> UInt64 {
        var h = seed
        mix(&h, tenant)
        h = (h ^ 0xFF) &* 0x9E37_79B9_7F4A_7C15
        mix(&h, token)
        return finish(h)
    }

    /// The hash of a payload: its tenant, operation and fingerprint.
    static func of(tenant: String, operation: String, fingerprint: Fingerprint) -> UInt64 {
        var h = seed
        mix(&h, tenant)
        h = (h ^ 0xFF) &* 0x9E37_79B9_7F4A_7C15
        mix(&h, operation)
        h = (h ^ 0xFE) &* 0x9E37_79B9_7F4A_7C15
        switch fingerprint.storage {
        case .sha256(let a, let b, let c, let d):
            step(&h, a); step(&h, b); step(&h, c); step(&h, d)
        case .text(let t):
            mix(&h, t)
        }
        return finish(h)
    }

    @inline(__always) static func step(_ h: inout UInt64, _ w: UInt64) {
        h = (h ^ w) &* 0x9E37_79B9_7F4A_7C15
        h = (h << 31) | (h >> 33)
    }

    static func mix(_ h: inout UInt64, _ text: String) {
        // Borrowing the string's own bytes: `var s = text; s.withUTF8` copied the String, a retain and a release
        // (atomic, on a string the decoding threads share) for every hash the fold takes.
        if text.utf8.withContiguousStorageIfAvailable({ mix(&h, $0) }) != nil { return }
        var s = text
        s.withUTF8 { mix(&h, $0) }
    }

    @inline(__always) static func mix(_ h: inout UInt64, _ b: UnsafeBufferPointer<UInt8>) {
        do {
            guard let base = b.baseAddress else { return }
            let raw = UnsafeRawPointer(base)
            let n = b.count
            var i = 0
            while i + 8 <= n {
                step(&h, raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                i += 8
            }
            var tail: UInt64 = UInt64(n) << 56
            var shift: UInt64 = 0
            while i < n {
                tail |= UInt64(b[i]) << shift
                shift += 8
                i += 1
            }
            step(&h, tail)
        }
    }

    /// SplitMix64's finaliser: every input bit affects every output bit.
    @inline(__always) static func finish(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return z == 0 ? 1 : z
    }
}
