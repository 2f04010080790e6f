import CByteScan
import Foundation

/// Why a journal line could not be read: one line of text, e.g. `missing "token"`.
public struct LineError: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// A JSON string as found in a line: its bytes between the quotes, and whether they hold escapes to undo.
struct RawString {
    var start: Int
    var end: Int
    var escaped: Bool
    var count: Int { end - start }
}

/// A single-pass scanner over one line's bytes: the JSON grammar, without building a tree.
///
/// The decoder asks it for the next token it expects (a key, a string, a number) and skips values it does not want,
/// nested objects and arrays included. It never allocates except to undo escapes in a string.
struct JSONByteScanner {
    let p: UnsafePointer<UInt8>
    let n: Int
    var i = 0

    init(_ p: UnsafePointer<UInt8>, count: Int) {
        self.p = p
        self.n = count
    }

    var atEnd: Bool { i >= n }

    @inline(__always) mutating func skipWhitespace() {
        while i < n {
            let c = p[i]
            if c == 32 || c == 10 || c == 13 || c == 9 { i += 1 } else { return }
        }
    }

    /// The next byte after white space, not consumed; nil at the end of the line.
    @inline(__always) mutating func peek() -> UInt8? {
        skipWhitespace()
        return i < n ? p[i] : nil
    }

    @inline(__always) mutating func expect(_ c: UInt8) throws(LineError) {
        if i < n && p[i] == c {
            i += 1
            return
        }
        try expectSlow(c)
    }

    private mutating func expectSlow(_ c: UInt8) throws(LineError) {
        skipWhitespace()
        guard i < n else { throw LineError("not JSON: the line ends early (expected '\(Character(Unicode.Scalar(c)))')") }
        guard p[i] == c else { throw unexpected("expected '\(Character(Unicode.Scalar(c)))'") }
        i += 1
    }

    func unexpected(_ what: String) -> LineError {
        guard i < n else { return LineError("not JSON: the line ends early (\(what))") }
        let c = p[i]
        let shown = c >= 0x20 && c < 0x7f ? "'\(Character(Unicode.Scalar(c)))'" : String(format: "byte 0x%02x", c)
        return LineError("not JSON: unexpected \(shown) at column \(i + 1) (\(what))")
    }

    /// Reads a string whose opening quote is the current byte; returns its raw bytes.
    @inline(__always)
    mutating func string() throws(LineError) -> RawString {
        guard i < n, p[i] == 34 else { throw unexpected("expected a string") }
        // In one pass in C (`idem_string_end`); a string it does not accept is read again below, for the reason.
        var escaped: Int32 = 0
        let end = idem_string_end(p, i + 1, n, &escaped)
        if end >= 0 {
            defer { i = end }
            return RawString(start: i + 1, end: end - 1, escaped: escaped != 0)
        }
        return try stringSlowly()
    }

    /// `string()` byte run by byte run, throwing why the string is not one.
    private mutating func stringSlowly() throws(LineError) -> RawString {
        i += 1
        let start = i
        var escaped = false
        while true {
            // Sixteen bytes a step (SSE2, `idem_string_stop`) to the first quote, backslash or control character.
            i = idem_string_stop(p, i, n)
            guard i < n else { throw LineError("not JSON: unterminated string") }
            let c = p[i]
            if c == 34 {
                i += 1
                return RawString(start: start, end: i - 1, escaped: escaped)
            }
            if c == 92 {
                escaped = true
                guard i + 1 < n else { throw LineError("not JSON: unterminated string") }
                switch p[i + 1] {
                case 34, 92, 47, 98, 102, 110, 114, 116: i += 2
                case 117:
                    guard i + 6 <= n, (2..<6).allSatisfy({ JSONByteScanner.hexValue(p[i + $0]) != nil }) else {
                        throw LineError("not JSON: bad \\u escape at column \(i + 1)")
                    }
                    i += 6
                default: throw LineError("not JSON: bad escape at column \(i + 1)")
                }
                continue
            }
            throw LineError("not JSON: control character in a string at column \(i + 1)")
        }
    }

    /// The high bit of each of the eight bytes in `x` that may be `"`, `\` or below 0x20. The lowest one set is exact;
    /// others above it may be false positives.
    @inline(__always) static func stringStops(_ x: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let q = x ^ (ones &* 34)
        let b = x ^ (ones &* 92)
        let zeroQ = (q &- ones) & ~q
        let zeroB = (b &- ones) & ~b
        let control = (x &- ones &* 0x20) & ~x
        return (zeroQ | zeroB | control) & highs
    }

    /// Skips one value of any kind, nested objects and arrays included, at any depth.
    ///
    /// No recursion: an explicit stack of open containers (one bit a level, object or array; a word holds the first
    /// 64 levels, an array the rest) walks the bytes, so a value nested 10,000 deep is skipped, not rejected.
    mutating func skipValue() throws(LineError) {
        var stack = ContainerStack()
        while true {
            // A value starts here.
            guard let c = peek() else { throw unexpected("expected a value") }
            switch c {
            case 123:
                i += 1
                if peek() == 125 {
                    i += 1
                } else {
                    stack.push(object: true)
                    try memberName()
                    continue
                }
            case 91:
                i += 1
                if peek() == 93 {
                    i += 1
                } else {
                    stack.push(object: false)
                    continue
                }
            case 34: _ = try string()
            case 116: try literal("true")
            case 102: try literal("false")
            case 110: try literal("null")
            default: _ = try number()
            }
            // A value ended: close the containers it ends, or go on to the next member or element.
            while let object = stack.top {
                let expected = object ? "expected ',' or '}'" : "expected ',' or ']'"
                guard let next = peek() else { throw unexpected(expected) }
                if next == (object ? 125 : 93) {
                    i += 1
                    stack.pop()
                    continue
                }
                guard next == 44 else { throw unexpected(expected) }
                i += 1
                if object { try memberName() }
                break
            }
            if stack.isEmpty { return }
        }
    }

    /// Reads an object member's name and the `:` after it.
    private mutating func memberName() throws(LineError) {
        skipWhitespace()
        _ = try string()
        try expect(58)
    }

    mutating func literal(_ word: StaticString) throws(LineError) {
        let len = word.utf8CodeUnitCount
        guard i + len <= n, memcmp(p + i, word.utf8Start, len) == 0 else { throw unexpected("expected a value") }
        i += len
    }

    /// True (and consumed) when the next value is `null`.
    mutating func null() -> Bool {
        guard peek() == 110, i + 4 <= n, p[i + 1] == 117, p[i + 2] == 108, p[i + 3] == 108 else { return false }
        i += 4
        return true
    }

    /// Reads a JSON number and returns it as an integer (a fraction is truncated); nil when it does not fit.
    mutating func number() throws(LineError) -> Int? {
        skipWhitespace()
        let start = i
        var negative = false
        if i < n, p[i] == 45 { negative = true; i += 1 }
        guard i < n, p[i] >= 48, p[i] <= 57 else { throw unexpected("expected a value") }
        var value = 0
        var overflow = false
        if p[i] == 48 {
            i += 1
        } else {
            while i < n, p[i] >= 48, p[i] <= 57 {
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int(p[i] - 48))
                value = a
                overflow = overflow || o1 || o2
                i += 1
            }
        }
        var plain = true
        if i < n, p[i] == 46 {
            plain = false
            i += 1
            guard i < n, p[i] >= 48, p[i] <= 57 else { throw unexpected("expected a digit") }
            while i < n, p[i] >= 48, p[i] <= 57 { i += 1 }
        }
        if i < n, p[i] == 101 || p[i] == 69 {
            plain = false
            i += 1
            if i < n, p[i] == 43 || p[i] == 45 { i += 1 }
            guard i < n, p[i] >= 48, p[i] <= 57 else { throw unexpected("expected a digit") }
            while i < n, p[i] >= 48, p[i] <= 57 { i += 1 }
        }
        if plain {
            return overflow ? nil : (negative ? -value : value)
        }
        let text = String(decoding: UnsafeBufferPointer(start: p + start, count: i - start), as: UTF8.self)
        guard let d = Double(text), d.isFinite, abs(d) < 9.0e18 else { return nil }
        return Int(d)
    }

    /// Calls `body` with the string's bytes, escapes undone (UTF-8, surrogate pairs joined).
    @inline(__always)
    func withBytes<T>(_ s: RawString, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        if !s.escaped { return body(UnsafeBufferPointer(start: p + s.start, count: s.count)) }
        let bytes = unescape(s)
        return bytes.withUnsafeBufferPointer(body)
    }

    /// The string as a Swift `String`.
    func text(_ s: RawString) -> String {
        withBytes(s) { String(decoding: $0, as: UTF8.self) }
    }

    /// The string's bytes with escapes undone. The scanner has already checked the escapes' syntax.
    func unescape(_ s: RawString) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(s.count)
        var k = s.start
        while k < s.end {
            let c = p[k]
            guard c == 92 else { out.append(c); k += 1; continue }
            let e = p[k + 1]
            k += 2
            switch e {
            case 98: out.append(8)
            case 102: out.append(12)
            case 110: out.append(10)
            case 114: out.append(13)
            case 116: out.append(9)
            case 117:
                var scalar = hex4(k)
                k += 4
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    // A high surrogate: join it with the low one that should follow.
                    if k + 6 <= s.end, p[k] == 92, p[k + 1] == 117 {
                        let low = hex4(k + 2)
                        if low >= 0xDC00 && low < 0xE000 {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                            k += 6
                        } else {
                            scalar = 0xFFFD
                        }
                    } else {
                        scalar = 0xFFFD
                    }
                } else if scalar >= 0xDC00 && scalar < 0xE000 {
                    scalar = 0xFFFD
                }
                JSONByteScanner.appendUTF8(scalar, &out)
            default: out.append(e) // ", \ and /
            }
        }
        return out
    }

    private func hex4(_ k: Int) -> UInt32 {
        var v: UInt32 = 0
        for j in 0..<4 { v = v << 4 | UInt32(JSONByteScanner.hexValue(p[k + j]) ?? 0) }
        return v
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return nil
        }
    }

    static func appendUTF8(_ v: UInt32, _ out: inout [UInt8]) {
        switch v {
        case 0..<0x80: out.append(UInt8(v))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | v >> 6)); out.append(UInt8(0x80 | v & 0x3F))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | v >> 12)); out.append(UInt8(0x80 | v >> 6 & 0x3F)); out.append(UInt8(0x80 | v & 0x3F))
        default:
            out.append(UInt8(0xF0 | v >> 18)); out.append(UInt8(0x80 | v >> 12 & 0x3F))
            out.append(UInt8(0x80 | v >> 6 & 0x3F)); out.append(UInt8(0x80 | v & 0x3F))
        }
    }
}
