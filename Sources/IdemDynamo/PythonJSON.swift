import Foundation

/// A JSON value as Python's `json` module holds it: integers and floats stay distinct, so `json.dumps` can be
/// reproduced byte for byte (Powertools hashes that text).
public indirect enum PythonJSON: Hashable, Sendable {
    case null
    case bool(Bool)
    /// An integer, as its canonical decimal digits (Python ints are unbounded).
    case int(String)
    case float(Double)
    case string(String)
    case array([PythonJSON])
    case object([String: PythonJSON])

    /// Parses JSON text the way `json.loads` does (a number with `.`, `e` or `E` is a float).
    public static func parse(_ text: String) throws -> PythonJSON {
        var p = Parser(bytes: Array(text.utf8))
        p.skipSpace()
        let v = try p.value()
        p.skipSpace()
        guard p.i == p.bytes.count else { throw p.fail("trailing characters") }
        return v
    }

    /// `json.dumps(value, sort_keys=True)`: separators `", "` and `": "`, non-ASCII escaped as `\uXXXX`
    /// (surrogate pairs above U+FFFF), floats in Python's `repr`.
    public func dumps() -> String {
        var out = ""
        write(to: &out)
        return out
    }

    func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let digits): out += digits
        case .float(let d): out += PythonJSON.repr(d)
        case .string(let s): PythonJSON.writeString(s, to: &out)
        case .array(let a):
            out += "["
            for (i, v) in a.enumerated() {
                if i > 0 { out += ", " }
                v.write(to: &out)
            }
            out += "]"
        case .object(let o):
            out += "{"
            // Python sorts str keys by code point.
            let keys = o.keys.sorted { Array($0.unicodeScalars.map(\.value)).lexicographicallyPrecedes($1.unicodeScalars.map(\.value)) }
            for (i, k) in keys.enumerated() {
                if i > 0 { out += ", " }
                PythonJSON.writeString(k, to: &out)
                out += ": "
                o[k]?.write(to: &out)
            }
            out += "}"
        }
    }

    static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for u in s.utf16 {
            switch u {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x08: out += "\\b"
            case 0x0C: out += "\\f"
            case 0x20...0x7E: out.unicodeScalars.append(Unicode.Scalar(UInt8(u)))
            default: out += String(format: "\\u%04x", u)
            }
        }
        out += "\""
    }

    /// Python's `repr(float)`: the shortest round-tripping digits, fixed notation for 1e-4 <= |x| < 1e16, else
    /// `d.ddde+XX`.
    public static func repr(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
        let sign = d < 0 ? "-" : ""
        // Swift's description also gives the shortest round-tripping digits; take them and Python's layout.
        let text = abs(d).description
        var mantissa = Substring(text)
        var exp = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exp = Int(text[text.index(after: e)...]) ?? 0
        }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let intPart = String(parts[0]), frac = parts.count > 1 ? String(parts[1]) : ""
        var digits = intPart + frac
        // value = 0.digits * 10^(point)
        var point = intPart.count + exp
        while digits.hasPrefix("0") && digits.count > 1 { digits.removeFirst(); point -= 1 }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        let sci = point - 1
        if sci < -4 || sci >= 16 {
            let rest = digits.dropFirst()
            let e = abs(sci) < 10 ? "0\(abs(sci))" : "\(abs(sci))"
            return sign + String(digits.prefix(1)) + (rest.isEmpty ? "" : "." + rest) + "e" + (sci < 0 ? "-" : "+") + e
        }
        if point <= 0 { return sign + "0." + String(repeating: "0", count: -point) + digits }
        if digits.count <= point { return sign + digits + String(repeating: "0", count: point - digits.count) + ".0" }
        return sign + digits.prefix(point) + "." + digits.dropFirst(point)
    }

    /// Whether Powertools would call this "no idempotency key" (and skip idempotency).
    public var isMissingKey: Bool {
        switch self {
        case .null: return true
        case .object(let o): return o.values.allSatisfy { $0 == .null }
        case .array(let a): return a.allSatisfy { $0 == .null }
        case .int, .float, .bool: return false
        case .string(let s): return s.isEmpty
        }
    }

    struct Parser {
        let bytes: [UInt8]
        var i = 0

        func fail(_ why: String) -> DynamoError { .usage("not JSON at byte \(i): \(why)") }

        mutating func skipSpace() { while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 } }

        mutating func value() throws -> PythonJSON {
            guard i < bytes.count else { throw fail("unexpected end") }
            switch bytes[i] {
            case UInt8(ascii: "{"):
                i += 1
                var o: [String: PythonJSON] = [:]
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(o) }
                while true {
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a key") }
                    let k = try string()
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                    i += 1
                    skipSpace()
                    o[k] = try value()
                    skipSpace()
                    guard i < bytes.count else { throw fail("unexpected end") }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(o) }
                    throw fail("expected ',' or '}'")
                }
            case UInt8(ascii: "["):
                i += 1
                var a: [PythonJSON] = []
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(a) }
                while true {
                    skipSpace()
                    a.append(try value())
                    skipSpace()
                    guard i < bytes.count else { throw fail("unexpected end") }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(a) }
                    throw fail("expected ',' or ']'")
                }
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): return try literal("true", .bool(true))
            case UInt8(ascii: "f"): return try literal("false", .bool(false))
            case UInt8(ascii: "n"): return try literal("null", .null)
            default: return try number()
            }
        }

        mutating func literal(_ word: String, _ v: PythonJSON) throws -> PythonJSON {
            let w = Array(word.utf8)
            guard i + w.count <= bytes.count, Array(bytes[i..<(i + w.count)]) == w else { throw fail("bad literal") }
            i += w.count
            return v
        }

        mutating func number() throws -> PythonJSON {
            let start = i
            var isFloat = false
            if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
            while i < bytes.count {
                let c = bytes[i]
                if (48...57).contains(c) { i += 1; continue }
                if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E")
                    || ((c == UInt8(ascii: "+") || c == UInt8(ascii: "-")) && isFloat) {
                    isFloat = true
                    i += 1
                    continue
                }
                break
            }
            let text = String(decoding: bytes[start..<i], as: UTF8.self)
            guard !text.isEmpty, text != "-" else { throw fail("unexpected character") }
            if isFloat {
                guard let d = Double(text) else { throw fail("bad number '\(text)'") }
                return .float(d)
            }
            let negative = text.hasPrefix("-")
            var digits = Substring(negative ? String(text.dropFirst()) : text)
            while digits.count > 1 && digits.hasPrefix("0") { digits = digits.dropFirst() }
            return .int(digits == "0" ? "0" : (negative ? "-" : "") + digits)
        }

        mutating func string() throws -> String {
            i += 1
            var units: [UInt16] = []
            while i < bytes.count {
                let c = bytes[i]
                if c == UInt8(ascii: "\"") {
                    i += 1
                    return String(decoding: units, as: UTF16.self)
                }
                if c == UInt8(ascii: "\\") {
                    guard i + 1 < bytes.count else { throw fail("bad escape") }
                    let e = bytes[i + 1]
                    i += 2
                    switch e {
                    case UInt8(ascii: "n"): units.append(0x0A)
                    case UInt8(ascii: "t"): units.append(0x09)
                    case UInt8(ascii: "r"): units.append(0x0D)
                    case UInt8(ascii: "b"): units.append(0x08)
                    case UInt8(ascii: "f"): units.append(0x0C)
                    case UInt8(ascii: "u"):
                        guard i + 4 <= bytes.count,
                              let v = UInt16(String(decoding: bytes[i..<(i + 4)], as: UTF8.self), radix: 16)
                        else { throw fail("bad \\u escape") }
                        units.append(v)
                        i += 4
                    default: units.append(UInt16(e))
                    }
                    continue
                }
                // Copy one UTF-8 sequence as UTF-16.
                var end = i + 1
                while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
                units.append(contentsOf: String(decoding: bytes[i..<end], as: UTF8.self).utf16)
                i = end
            }
            throw fail("unterminated string")
        }
    }
}
