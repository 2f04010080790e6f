/// Little-endian integers and strings appended to a byte array: the checkpoints' binary form.
public struct ByteWriter {
    public var bytes: [UInt8] = []
    public init() {}
    public mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    public mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }
    public mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    public mutating func i32(_ v: Int32) { u32(UInt32(bitPattern: v)) }
    public mutating func u8(_ v: UInt8) { bytes.append(v) }
    public mutating func string(_ s: String) {
        u32(UInt32(s.utf8.count))
        bytes += s.utf8
    }
}

/// Reads what `ByteWriter` wrote; past the end it reads zeros and sets `overrun`, so a short input is noticed once
/// at the end instead of at every read.
public struct ByteReader {
    public let bytes: [UInt8]
    public var at: Int
    public private(set) var overrun = false

    public init(bytes: [UInt8], at: Int = 0) {
        self.bytes = bytes
        self.at = at
    }

    private mutating func take(_ n: Int) -> Int? {
        guard n >= 0, at <= bytes.count - n else {
            overrun = true
            return nil
        }
        defer { at += n }
        return at
    }

    public mutating func u64() -> UInt64 {
        guard let i = take(8) else { return 0 }
        return bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: i, as: UInt64.self)) }
    }
    public mutating func i64() -> Int64 { Int64(bitPattern: u64()) }
    public mutating func u32() -> UInt32 {
        guard let i = take(4) else { return 0 }
        return bytes.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: i, as: UInt32.self)) }
    }
    public mutating func i32() -> Int32 { Int32(bitPattern: u32()) }
    public mutating func u8() -> UInt8 {
        guard let i = take(1) else { return 0 }
        return bytes[i]
    }
    public mutating func string() -> String {
        let n = Int(u32())
        guard let i = take(n) else { return "" }
        return String(decoding: bytes[i..<(i + n)], as: UTF8.self)
    }
}
