import IdemCore

/// The detail screen: the record, request, stored response and timeline of one token, wrapped and scrollable.
enum DetailView {
    static func render(_ s: AppState, into g: inout Grid) {
        guard let d = s.detail else { return }
        g.fill(row: 0, role: .header)
        var x = g.put(" idemtop ", x: 0, y: 0, role: .header)
        x += g.put("› ", x: x, y: 0, role: .headerLabel)
        g.put(Sanitizer.visible(d.key.tenant) + " / " + Sanitizer.visible(d.key.token), x: x, y: 0, role: .header,
              limit: g.width - x - 1)
        let body = s.layout.bodyRows
        if let why = d.failure {
            g.put("could not read this token: " + Sanitizer.visible(why), x: 1, y: body.lowerBound + 1, role: .error)
            return
        }
        guard d.content != nil else {
            g.put("loading…", x: 1, y: body.lowerBound + 1, role: .dim)
            return
        }
        // Wrap each logical line to the width, continuation rows indented by two columns.
        var rows = 0
        let skip = d.scroll
        var logical = skip
        while logical < d.lines.count, rows < body.count {
            for wrapped in wrap(d.lines[logical], width: g.width - 1) {
                guard rows < body.count else { break }
                g.put(wrapped, x: 1, y: body.lowerBound + rows, limit: g.width - 1)
                rows += 1
            }
            logical += 1
        }
        if d.lines.count > 0 {
            let marker = "\(min(d.lines.count, d.scroll + 1))/\(d.lines.count)"
            g.put(marker + " ", x: max(0, g.width - marker.count - 1), y: 0, role: .headerLabel)
        }
    }

    /// The largest scroll (in logical lines) that still fills the body: the last lines, wrapped to the width, fit.
    static func maxScroll(_ lines: [[Span]], width: Int, rows: Int) -> Int {
        var used = 0
        var first = lines.count
        while first > 0 {
            let h = wrap(lines[first - 1], width: width - 1).count
            if used + h > rows { break }
            used += h
            first -= 1
        }
        return first
    }

    /// Splits spans into rows of at most `width` columns. Continuation rows hang under the value of a `label  value`
    /// line (a first span in the label role), else two columns in.
    static func wrap(_ spans: [Span], width: Int) -> [[Span]] {
        guard width > 4 else { return [spans] }
        var hang = 2
        if spans.count >= 2, spans[0].role == .headerLabel {
            let labelWidth = TextWidth.of(spans[0].text)
            if labelWidth < width / 2 { hang = labelWidth }
        }
        var rows: [[Span]] = [[]]
        var col = 0
        for span in spans {
            var piece = ""
            for ch in span.text {
                let w = TextWidth.of(ch)
                if col + w > width {
                    if !piece.isEmpty { rows[rows.count - 1].append(Span(piece, span.role)) }
                    rows.append([Span(String(repeating: " ", count: hang), .dim)])
                    piece = ""
                    col = hang
                }
                piece.append(ch)
                col += w
            }
            if !piece.isEmpty { rows[rows.count - 1].append(Span(piece, span.role)) }
        }
        return rows
    }
}
