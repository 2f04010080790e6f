import CByteScan
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
    /// allocation.
    static func pack(_ b: UnsafeBufferPointer<UInt8>) -> Storage? {
        guard b.count == 64, let p = b.baseAddress else { return nil }
        // In C (`idem_sha256_hex`): sixteen digits a step with SSE2, checked and converted at once.
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        let packed = withUnsafeMutableBytes(of: &words) { w in
            idem_sha256_hex(p, w.baseAddress!.assumingMemoryBound(to: UInt64.self))
        }
        return packed != 0 ? .sha256(words.0, words.1, words.2, words.3) : nil
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
