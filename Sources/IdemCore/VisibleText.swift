/// Makes text from a store safe to print on a terminal: control characters and escape sequences become visible.
///
/// Store text is data written by other programs; a raw ESC could move the cursor, recolour the screen or retitle the
/// window. Everything below U+0020, DEL, the C1 controls, and the bidirectional overrides is replaced by an escape
/// such as `\e`, `\n`, `\x07` or `\u{202E}`.
public enum VisibleText {
    /// The text with every unsafe scalar escaped; safe text comes back unchanged (and without copying).
    public static func escape(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isUnsafe) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            guard isUnsafe(scalar) else { out.unicodeScalars.append(scalar); continue }
            switch scalar.value {
            case 0x1B: out += "\\e"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0..<0x20, 0x7F: out += "\\x" + hex(scalar.value, 2)
            default: out += "\\u{" + hex(scalar.value, 4) + "}"
            }
        }
        return out
    }

    /// True for scalars that must never reach a terminal raw.
    public static func isUnsafe(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0..<0x20, 0x7F, 0x80..<0xA0: return true
        case 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C: return true
        default: return false
        }
    }

    static func hex(_ v: UInt32, _ width: Int) -> String {
        let digits = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
