import IdemCore

/// The side-by-side view (Enter on a double charge in the findings view): the verdict in words on top, then one
/// column per token, sections aligned across columns, as many columns as fit around the selected one.
public enum CompareView {
    /// The narrowest a token's column gets; fewer columns are shown rather than narrower ones.
    static let minColumn = 28

    /// Rows of the verdict (wrapped, at most three) under the title.
    static func verdictLines(_ s: AppState) -> [String] {
        guard let c = s.compare else { return [] }
        let lines = c.verdict.flatMap { HelpView.wrapWords($0, width: max(10, s.width - 2)) }
        let cap = s.height >= 30 ? 5 : 3
        guard lines.count > cap else { return lines }
        return Array(lines.prefix(cap - 1)) + [TextWidth.truncate(lines[cap - 1] + " …", to: s.width - 2)]
    }

    /// Rows the columns scroll in: under the verdict and the column titles, above the two bottom lines.
    static func bodyRows(_ s: AppState) -> Range<Int> {
        let top = 1 + verdictLines(s).count + 1
        return (top + 1)..<max(top + 1, s.height - 2)
    }

    /// How many body rows the view scrolls in, for tests of the scroll's bounds.
    public static func bodyRowsForTests(_ s: AppState) -> Int { bodyRows(s).count }

    /// The first column shown and how many, so that the selected one is in view.
    static func window(_ s: AppState) -> (first: Int, count: Int, width: Int) {
        guard let c = s.compare, !c.keys.isEmpty else { return (0, 0, s.width) }
        let fit = max(1, min(c.keys.count, (s.width + 1) / (minColumn + 1)))
        // The selected column is the last one shown once it is past the first screenful.
        let first = max(0, min(c.column - fit + 1, c.keys.count - fit))
        return (first, fit, (s.width - (fit - 1)) / fit)
    }

    static func render(_ s: AppState, into g: inout Grid) {
        guard let c = s.compare else { return }
        let f = c.finding
        g.fill(row: 0, role: .header)
        var x = g.put(" idemtop › findings › ", x: 0, y: 0, role: .header)
        x += g.put("\(f.severity.rawValue) \(f.kind.shortLabel) · \(Sanitizer.visible(f.tenant))", x: x, y: 0,
                   role: .header, limit: g.width - x)
        let count = " \(c.keys.count) tokens side by side "
        if x + TextWidth.of(count) < g.width { g.put(count, x: g.width - TextWidth.of(count), y: 0, role: .headerLabel) }
        let verdict = verdictLines(s)
        for (i, line) in verdict.enumerated() {
            g.put(" " + line, x: 0, y: 1 + i, role: c.loaded ? .notice : .dim, limit: g.width)
        }
        let w = window(s)
        let titleRow = 1 + verdict.count + 1
        g.fill(row: titleRow, role: .tableHeader)
        for i in 0..<w.count {
            let k = w.first + i
            guard k < c.keys.count else { break }
            let x0 = i * (w.width + 1)
            let title = "\(k + 1). " + Sanitizer.visible(c.keys[k].token)
            g.put(TextWidth.elideMiddle(title, to: w.width), x: x0, y: titleRow,
                  role: k == c.column ? .selection : .tableHeader, limit: w.width)
        }
        let body = bodyRows(s)
        for (n, y) in body.enumerated() {
            let r = c.scroll + n
            guard r < c.rows.count else { break }
            for i in 0..<w.count {
                let k = w.first + i
                guard k < c.rows[r].count else { break }
                g.put(c.rows[r][k], x: i * (w.width + 1), y: y, limit: w.width)
                if i > 0 { g.put("│", x: i * (w.width + 1) - 1, y: y, role: .border) }
            }
        }
        if c.keys.count > w.count {
            let more = " ←/→ \(w.first + 1)-\(w.first + w.count) of \(c.keys.count) "
            g.put(more, x: max(0, g.width - TextWidth.of(more)), y: titleRow, role: .headerLabel)
        }
    }
}
