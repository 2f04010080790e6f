/// Makes text from a store safe to draw: control characters and invisible direction or format characters become
/// visible escapes (`\x1b`, `\n`, `\u{202e}`), so a token cannot move the cursor, recolour, or reorder the screen.
///
/// It is the one sanitiser every writer applies at its output boundary: the CLI's line writer and stderr
/// (`visible(_:keepingLayout:)`), JSON (`jsonSafe`, `appendJSONString`), CSV (`TextTable.csvLine`), and the
/// dashboard grid (`Grid.put`). `visible` is idempotent, so text made visible early passes the boundary unchanged.
public enum Sanitizer {
    /// The visible form of `s`. Plain text comes back unchanged (and without copying when it is all printable ASCII).
    public static func visible(_ s: String) -> String { visible(s, keepingLayout: false) }

    /// The visible form of `s`; with `keepingLayout`, newline and tab stay raw: the output's own line breaks and
    /// columns (a writer's boundary, where fields were made visible already and the text is whole lines).
    public static func visible(_ s: String, keepingLayout: Bool) -> String {
        if s.utf8.allSatisfy({ ($0 >= 0x20 && $0 < 0x7f) || (keepingLayout && ($0 == 0x0A || $0 == 0x09)) }) {
            return s
        }
        var out = ""
        out.reserveCapacity(s.utf8.count)
        var previousJoins = false
        for u in s.unicodeScalars {
            if keepingLayout, u.value == 0x0A || u.value == 0x09 {
                out.unicodeScalars.append(u)
                previousJoins = false
            } else if let esc = escape(u, afterJoinable: previousJoins) {
                out += esc
                previousJoins = false
            } else {
                out.unicodeScalars.append(u)
                previousJoins = u.properties.isEmoji || u.properties.isEmojiPresentation
            }
        }
        return out
    }

    /// The escape for a scalar that must not reach the terminal raw, or nil when it may be drawn.
    static func escape(_ u: Unicode.Scalar, afterJoinable: Bool) -> String? {
        let v = u.value
        switch v {
        case 0x0A: return "\\n"
        case 0x0D: return "\\r"
        case 0x09: return "\\t"
        case 0x00..<0x20, 0x7F: return "\\x" + hex(v, 2)
        case 0x80..<0xA0: return "\\u{" + hex(v, 2) + "}"
        case 0x200B, 0x200C, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2060...0x2064, 0x2066...0x2069, 0x061C, 0xFEFF,
             0xFFF9...0xFFFB, 0xE0000...0xE007F:
            return "\\u{" + hex(v, 4) + "}"
        case 0x200D:
            // A zero-width joiner inside an emoji sequence is part of the picture; anywhere else it is hidden text.
            return afterJoinable ? nil : "\\u{200d}"
        case 0xD800...0xDFFF, 0xFFFE, 0xFFFF:
            return "\\u{" + hex(v, 4) + "}"
        default:
            return u.properties.generalCategory == .unassigned && v > 0xFFFF ? "\\u{" + hex(v, 4) + "}" : nil
        }
    }

    /// `json` (serialized JSON text) with every scalar `visible` would escape written as a JSON `\uXXXX` escape
    /// instead: C0, DEL, C1, bidi and other invisible characters, U+2028 and U+2029. Such scalars can only sit
    /// inside strings (JSON's own whitespace, newline, tab and CR, is kept), so the text stays the same JSON value.
    public static func jsonSafe(_ json: String) -> String {
        if json.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7f || $0 == 0x0A || $0 == 0x09 || $0 == 0x0D }) { return json }
        var out: [UInt8] = []
        out.reserveCapacity(json.utf8.count + 16)
        var previousJoins = false
        for u in json.unicodeScalars {
            if u.value == 0x0A || u.value == 0x09 || u.value == 0x0D {
                out.append(UInt8(u.value))
                previousJoins = false
            } else if escape(u, afterJoinable: previousJoins) != nil {
                appendJSONEscape(u.value, to: &out)
                previousJoins = false
            } else {
                out.append(contentsOf: String(u).utf8)
                previousJoins = u.properties.isEmoji || u.properties.isEmojiPresentation
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the inside of a JSON string literal for `s` (no quotes): `"` and `\` escaped, and every scalar
    /// `visible` would escape as `\n`, `\r`, `\t`, `\b`, `\f` or `\uXXXX` (a surrogate pair above U+FFFF).
    public static func appendJSONString(_ s: String, to out: inout [UInt8]) {
        if s.utf8.allSatisfy({ $0 < 0x80 }) {
            // ASCII (most journal text: tokens, JSON bodies): byte by byte, no scalar decoding.
            for c in s.utf8 {
                switch c {
                case 0x22, 0x5C: out.append(92); out.append(c)
                case 0x0A: out.append(92); out.append(110)
                case 0x0D: out.append(92); out.append(114)
                case 0x09: out.append(92); out.append(116)
                case 0x08: out.append(92); out.append(98)
                case 0x0C: out.append(92); out.append(102)
                case 0x20..<0x7F: out.append(c)
                default: appendJSONEscape(UInt32(c), to: &out)
                }
            }
            return
        }
        var previousJoins = false
        for u in s.unicodeScalars {
            let v = u.value
            switch v {
            case 0x22: out.append(92); out.append(0x22)
            case 0x5C: out.append(92); out.append(0x5C)
            case 0x0A: out.append(92); out.append(110)
            case 0x0D: out.append(92); out.append(114)
            case 0x09: out.append(92); out.append(116)
            case 0x08: out.append(92); out.append(98)
            case 0x0C: out.append(92); out.append(102)
            case 0x20..<0x7F: out.append(UInt8(v))
            default:
                if escape(u, afterJoinable: previousJoins) != nil {
                    appendJSONEscape(v, to: &out)
                    previousJoins = false
                    continue
                }
                UTF8.encode(u) { out.append($0) }
                previousJoins = u.properties.isEmoji || u.properties.isEmojiPresentation
                continue
            }
            previousJoins = false
        }
    }

    /// Appends `\uXXXX` for scalar value `v`, as a UTF-16 surrogate pair above U+FFFF.
    static func appendJSONEscape(_ v: UInt32, to out: inout [UInt8]) {
        func unit(_ u: UInt32) { out.append(contentsOf: ("\\u" + hex(u, 4)).utf8) }
        if v > 0xFFFF {
            let w = v - 0x10000
            unit(0xD800 + (w >> 10))
            unit(0xDC00 + (w & 0x3FF))
        } else {
            unit(v)
        }
    }

    static func hex(_ v: UInt32, _ digits: Int) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, digits - s.count)) + s
    }
}
