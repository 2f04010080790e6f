/// A few top-level members of one JSON object, read with `JSONByteScanner` (no tree, no Foundation): the fast path
/// for decoders that otherwise call `JSONSerialization` on every value (a Redis key's record, say).
///
/// It answers only for the plain case and returns nil for anything else, so the caller can fall back to its exact
/// general decoder and keep its behaviour: bytes that are not all ASCII, a `\u` escape anywhere, anything but one
/// object (white space around it allowed), a wanted name given twice, or bytes that are not JSON.
public enum FlatJSONFields {
    /// What one wanted member holds.
    public enum Value: Sendable, Equatable {
        /// The object has no member of that name.
        case absent
        case null
        /// A string, escapes undone.
        case string(String)
        /// An integer written without fraction or exponent, within ±2^53 (exact as a double too).
        case integer(Int64)
        /// Anything else: a boolean, a fraction, an exponent, a bigger integer, an object, an array.
        case other
    }

    /// The values of `fields` (names as UTF-8 bytes) in `bytes`, in the order asked; nil when not the plain case.
    public static func read(_ bytes: [UInt8], fields: [[UInt8]]) -> [Value]? {
        bytes.withUnsafeBufferPointer { read($0, fields: fields) }
    }

    /// `read(_:fields:)` of bytes in place (a string's UTF-8, say), without an array of them.
    public static func read(_ buf: UnsafeBufferPointer<UInt8>, fields: [[UInt8]]) -> [Value]? {
        guard let base = buf.baseAddress, plain(buf) else { return nil }
        var s = JSONByteScanner(base, count: buf.count)
        do { return try object(&s, fields) } catch { return nil }
    }

    /// ASCII only, and no `\u` escape (whose surrogates the general decoders judge their own way).
    private static func plain(_ buf: UnsafeBufferPointer<UInt8>) -> Bool {
        var previous: UInt8 = 0
        for b in buf {
            if b >= 0x80 || (previous == 92 && b == 117) { return false }
            previous = previous == 92 ? 0 : b  // "\\u" is an escaped backslash, then a 'u'
        }
        return true
    }

    private static func object(_ s: inout JSONByteScanner, _ fields: [[UInt8]]) throws(LineError) -> [Value]? {
        var out = [Value](repeating: .absent, count: fields.count)  // `value` never answers .absent: seen once
        guard s.peek() == 123 else { return nil }
        s.i += 1
        if s.peek() == 125 {
            s.i += 1
        } else {
            while true {
                s.skipWhitespace()
                let name = try s.string()
                try s.expect(58)
                s.skipWhitespace()
                if let k = index(of: name, in: s, fields) {
                    if out[k] != .absent { return nil }
                    out[k] = try value(&s)
                } else {
                    try s.skipValue()
                }
                guard let next = s.peek() else { return nil }
                s.i += 1
                if next == 125 { break }
                guard next == 44 else { return nil }
            }
        }
        s.skipWhitespace()
        return s.atEnd ? out : nil
    }

    private static func index(of name: RawString, in s: JSONByteScanner, _ fields: [[UInt8]]) -> Int? {
        s.withBytes(name) { b in fields.firstIndex { $0.elementsEqual(b) } }
    }

    private static func value(_ s: inout JSONByteScanner) throws(LineError) -> Value {
        guard let c = s.peek() else { throw s.unexpected("expected a value") }
        if s.null() { return .null }
        if c == 34 { return .string(s.text(try s.string())) }
        guard c == 45 || (c >= 48 && c <= 57) else {
            try s.skipValue()
            return .other
        }
        let start = s.i
        let n = try s.number()
        for k in start..<s.i where s.p[k] == 46 || s.p[k] == 101 || s.p[k] == 69 { return .other }
        guard let n, abs(n) <= 1 << 53 else { return .other }
        return .integer(Int64(n))
    }
}
