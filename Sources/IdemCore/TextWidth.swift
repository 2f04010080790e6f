/// Display width in terminal columns, computed in pure Swift so tests and screens agree on every machine.
///
/// A grapheme is 2 columns when it is East Asian wide or fullwidth, or an emoji shown as a picture; 0 when it is only
/// combining marks or format characters; 1 otherwise. This follows `wcwidth` for the cases a store's text brings.
public enum TextWidth {
    /// The width of one grapheme cluster.
    public static func of(_ g: Character) -> Int {
        let scalars = g.unicodeScalars
        guard let first = scalars.first else { return 0 }
        if first.value < 0x7f { return first.value < 0x20 ? 0 : 1 }
        if scalars.contains(where: { $0.value == 0xFE0F }) { return 2 }
        if scalars.count > 1, scalars.contains(where: { $0.value == 0x200D }),
           scalars.contains(where: { $0.properties.isEmojiPresentation }) { return 2 }
        return scalarWidth(first)
    }

    /// The width of a string: the sum of its graphemes' widths.
    public static func of(_ s: some StringProtocol) -> Int {
        var w = 0
        for g in s {
            if let a = g.asciiValue { w += a >= 0x20 && a < 0x7f ? 1 : 0 } else { w += of(g) }
        }
        return w
    }

    /// The width of a lone scalar.
    public static func scalarWidth(_ u: Unicode.Scalar) -> Int {
        let v = u.value
        if v < 0x20 || (v >= 0x7f && v < 0xa0) { return 0 }
        switch u.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if v == 0x200B { return 0 }
        if isWide(v) { return 2 }
        if u.properties.isEmojiPresentation { return 2 }
        return 1
    }

    static func isWide(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x2E80...0x303E, 0x3041...0x33FF,
             0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3,
             0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
             0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x1FA70...0x1FAFF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }

    /// The longest prefix of `s` that fits in `columns`, and its width.
    public static func prefix(_ s: String, fitting columns: Int) -> (String, Int) {
        var out = ""
        var w = 0
        for g in s {
            let gw = of(g)
            if w + gw > columns { break }
            out.append(g)
            w += gw
        }
        return (out, w)
    }

    /// `s` cut to `columns`, ending in `…` when cut.
    public static func truncate(_ s: String, to columns: Int) -> String {
        guard columns > 0 else { return "" }
        if of(s) <= columns { return s }
        return prefix(s, fitting: columns - 1).0 + "…"
    }

    /// `s` elided in the middle to fit `columns`, keeping both ends: `3f2a…91bc`.
    public static func elideMiddle(_ s: String, to columns: Int) -> String {
        guard columns > 0 else { return "" }
        if of(s) <= columns { return s }
        if columns < 3 { return prefix(s, fitting: columns).0 }
        let tailWidth = (columns - 1) / 2
        let headWidth = columns - 1 - tailWidth
        let head = prefix(s, fitting: headWidth).0
        var tail = ""
        var w = 0
        for g in s.reversed() {
            let gw = of(g)
            if w + gw > tailWidth { break }
            tail.insert(g, at: tail.startIndex)
            w += gw
        }
        return head + "…" + tail
    }

    /// An operation fitted to `columns`: `POST /v1/charges` keeps its method and the end of its path
    /// (`POST …/charges`), where the resource is named, cut at a `/` when a whole segment fits; other text is
    /// elided in the middle.
    public static func elideOperation(_ s: String, to columns: Int) -> String {
        if of(s) <= columns { return s }
        guard let space = s.firstIndex(of: " "), s[s.index(after: space)...].hasPrefix("/") else {
            return elideMiddle(s, to: columns)
        }
        let method = s[..<space]
        guard !method.isEmpty, method.allSatisfy({ $0.isASCII && $0.isUppercase }), method.count + 4 <= columns else {
            return elideMiddle(s, to: columns)
        }
        var tail = ""
        var w = 0
        for g in s[s.index(after: space)...].reversed() {
            let gw = of(g)
            if w + gw > columns - method.count - 2 { break }
            tail.insert(g, at: tail.startIndex)
            w += gw
        }
        // Cut at a segment when one fits: `…/charges`, not `…1/charges`.
        if !tail.hasPrefix("/"), let slash = tail.firstIndex(of: "/") { tail = String(tail[slash...]) }
        return method + " …" + tail
    }
}
