/// The Redis Cluster hash slot of a key: CRC16 (XMODEM: polynomial 0x1021, initial 0) of the key, or of its hash
/// tag, modulo 16384, as the cluster specification gives it (https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/,
/// "Keys distribution model" and its Appendix A).
///
/// The hash tag is the part between the first `{` and the first `}` after it, when that part is not empty:
/// `{user1000}.following` and `{user1000}.followers` share a slot; `foo{}{bar}` hashes whole.
public enum RedisSlot {
    public static let count = 16384

    /// The slot of `key`'s bytes.
    public static func of(_ key: [UInt8]) -> Int {
        key.withUnsafeBufferPointer { b in
            guard let open = b.firstIndex(of: UInt8(ascii: "{")) else { return Int(crc16(b[...]) & 0x3FFF) }
            guard let close = b[(open + 1)...].firstIndex(of: UInt8(ascii: "}")), close > open + 1 else {
                return Int(crc16(b[...]) & 0x3FFF)
            }
            return Int(crc16(b[(open + 1)..<close]) & 0x3FFF)
        }
    }

    public static func of(_ key: String) -> Int { of(Array(key.utf8)) }

    /// CRC16-CCITT (XMODEM), bit by bit through a 256-entry table.
    static func crc16(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> UInt16 {
        var crc: UInt16 = 0
        for b in bytes {
            crc = (crc << 8) ^ table[Int(UInt8(truncatingIfNeeded: crc >> 8) ^ b)]
        }
        return crc
    }

    static let table: [UInt16] = (0..<256).map { i in
        var c = UInt16(i) << 8
        for _ in 0..<8 { c = c & 0x8000 != 0 ? (c << 1) ^ 0x1021 : c << 1 }
        return c
    }
}
