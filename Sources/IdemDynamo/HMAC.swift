import IdemCore

/// HMAC-SHA256 (RFC 2104) over the core's SHA-256: what AWS Signature Version 4 chains to derive keys and sign.
public enum HMAC {
    static let blockSize = 64

    /// The 32-byte authentication code of `message` under `key`.
    public static func sha256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var k = key.count > blockSize ? SHA256.digest(key) : key
        k += [UInt8](repeating: 0, count: blockSize - k.count)
        let inner = SHA256.digest(k.map { $0 ^ 0x36 } + message)
        return SHA256.digest(k.map { $0 ^ 0x5c } + inner)
    }

    /// The same over UTF-8 text.
    public static func sha256(key: [UInt8], _ text: String) -> [UInt8] { sha256(key: key, message: Array(text.utf8)) }
}
