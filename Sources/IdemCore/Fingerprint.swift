import Foundation

/// A hash of the request payload a token was first used with.
///
/// Stored compactly: a 64-hex-digit SHA-256 takes 32 bytes instead of a 64-character string, which matters at a
/// million tokens. Any other text (an MD5, a store's own scheme) is kept as it is.
public struct Fingerprint: Hashable, Sendable, CustomStringConvertible {
    enum Storage: Hashable, Sendable {
        case sha256(UInt64, UInt64, UInt64, UInt64)
        case text(String)
    }
    let storage: Storage

    init(storage: Storage) { self.storage = storage }

    public init(_ text: String) {
        var copy = text
        if let packed = copy.withUTF8({ Fingerprint.pack($0) }) {
            storage = packed
        } else {
            storage = .text(text)
        }
    }

    /// Builds from raw bytes (the journal's hot path) without making a String for the usual SHA-256 hex case.
    public init(bytes: UnsafeBufferPointer<UInt8>) {
        if let packed = Fingerprint.pack(bytes) {
            storage = packed
        } else {
            storage = .text(String(decoding: bytes, as: UTF8.self))
        }
    }

    public static let none = Fingerprint("")

    public var isEmpty: Bool { if case .text(let t) = storage { return t.isEmpty } else { return false } }

    public var description: String {
        switch storage {
        case .text(let t): return t
        case .sha256(let a, let b, let c, let d):
            return [a, b, c, d].map { word in
                let hex = String(word, radix: 16)
                return String(repeating: "0", count: 16 - hex.count) + hex
            }.joined()
        }
    }

    /// The first characters, for narrow columns.
    public func short(_ n: Int = 12) -> String { String(description.prefix(n)) }

    /// The four words of a 64-digit lower-case hex text; nil for anything else. Runs for every journal line: no
    /// allocation, eight digits at a time.
    static func pack(_ b: UnsafeBufferPointer<UInt8>) -> Storage? {
        guard b.count == 64, let p = b.baseAddress else { return nil }
        let raw = UnsafeRawPointer(p)
        @inline(__always) func eight(_ at: Int) -> UInt64? {
            let x = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self))
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            guard x & highs == 0 else { return nil }
            // With every byte below 0x80, adding 0x80 - lo sets a byte's high bit exactly when it is >= lo.
            @inline(__always) func atLeast(_ lo: UInt64) -> UInt64 { (x &+ ones &* (0x80 - lo)) & highs }
            let digit = atLeast(0x30) & ~atLeast(0x3A)
            let lower = atLeast(0x61) & ~atLeast(0x67)
            // Upper case or not hex: keep the text so it prints back unchanged.
            guard digit | lower == highs else { return nil }
            // A digit's value: its low nibble, plus 9 for a letter (bit 6 set).
            let v = (x & (ones &* 0x0F)) &+ ((x >> 6) & ones) &* 9
            // Bytes v0..v7, v0 first in the text: the most significant nibble.
            let pairs = ((v & 0x000F_000F_000F_000F) << 4) | ((v >> 8) & 0x000F_000F_000F_000F)
            let quads = ((pairs & 0x0000_00FF_0000_00FF) << 8) | ((pairs >> 16) & 0x0000_00FF_0000_00FF)
            return ((quads & 0xFFFF) << 16) | ((quads >> 32) & 0xFFFF)
        }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        for w in 0..<4 {
            guard let hi = eight(w * 16), let lo = eight(w * 16 + 8) else { return nil }
            let word = hi << 32 | lo
            switch w {
            case 0: words.0 = word
            case 1: words.1 = word
            case 2: words.2 = word
            default: words.3 = word
            }
        }
        return .sha256(words.0, words.1, words.2, words.3)
    }

    /// The fingerprint of a request: SHA-256 over the method, the path and the canonical body.
    ///
    /// A JSON body is canonicalised (keys sorted, no insignificant white space) so that two clients sending the same
    /// object with keys in another order get one fingerprint; any other body is hashed as it is.
    public static func of(method: String, path: String, body: String?) -> Fingerprint {
        var bytes = Array(method.uppercased().utf8)
        bytes.append(10)
        bytes.append(contentsOf: path.utf8)
        bytes.append(10)
        if let body {
            bytes.append(contentsOf: canonicalJSON(body).map(Array.init) ?? Array(body.utf8))
        }
        return Fingerprint(SHA256.hex(bytes))
    }

    /// The canonical form of a JSON text: sorted keys, no white space. Nil when the text is not JSON.
    public static func canonicalJSON(_ text: String) -> Data? {
        guard let data = text.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        else { return nil }
        return try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])
    }
}
