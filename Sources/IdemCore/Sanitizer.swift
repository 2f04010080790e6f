/// Makes text from a store safe to draw: control characters and invisible direction or format characters become
/// visible escapes (`\x1b`, `\n`, `\u{202e}`), so a token cannot move the cursor, recolour, or reorder the screen.
public enum Sanitizer {
    /// The visible form of `s`. Plain text comes back unchanged (and without copying when it is all printable ASCII).
    public static func visible(_ s: String) -> String {
        if s.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count)
        var previousJoins = false
        for u in s.unicodeScalars {
            if let esc = escape(u, afterJoinable: previousJoins) {
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
        case 0x200B, 0x200C, 0x200E, 0x200F, 0x202A...0x202E, 0x2060...0x2064, 0x2066...0x2069, 0x061C, 0xFEFF,
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

    static func hex(_ v: UInt32, _ digits: Int) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, digits - s.count)) + s
    }
}
