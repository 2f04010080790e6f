import IdemCore

/// The two bottom lines: a notice line (errors, notices, load progress, the filter) and the status bar with the
/// keys that matter on the current screen, or the line being typed.
enum StatusBarView {
    static func render(_ s: AppState, theme: Theme, into g: inout Grid) {
        let l = s.layout
        noticeLine(s, y: l.noticeRow, into: &g)
        let y = l.statusRow
        g.fill(row: y, role: .statusBar)
        if let input = s.input {
            let (prefix, text) = {
                switch input {
                case .filter(let t, _): return ("/", t)
                case .command(let t): return (":", t)
                }
            }()
            g.fill(row: y, role: .filter)
            var x = g.put(prefix + Sanitizer.visible(text), x: 0, y: y, role: .filter)
            x += g.put("▏", x: x, y: y, role: .filter)
            if case .filter = input, let err = s.filterError {
                g.put("  " + err, x: x, y: y, role: .error)
            } else if case .filter = input, s.mode == .findings {
                g.put("  \(Format.count(s.findings.shown.count)) of \(Format.count(s.findings.findings.count)) findings"
                    + "  Enter keeps · Esc cancels", x: x, y: y, role: .dim)
            } else if case .filter = input {
                g.put("  \(Format.count(s.index.count)) of \(Format.count(s.ledger.count))  Enter keeps · Esc cancels",
                      x: x, y: y, role: .dim)
            }
            return
        }
        var x = 0
        for (key, what) in hints(s) {
            if x + TextWidth.of(key) + TextWidth.of(what) + 2 > g.width { break }
            x += g.put(" " + key, x: x, y: y, role: .keyHint)
            x += g.put(" " + what + " ", x: x, y: y, role: .statusBar)
        }
    }

    static func hints(_ s: AppState) -> [(String, String)] {
        switch s.mode {
        case .main:
            // Most useful first: what does not fit is left off the end.
            var h: [(String, String)] = [("q", "quit"), ("?", "help"), ("/", "filter")]
            if !s.filter.isEmpty { h.append(("Esc", "clear")) }
            // When the sorted column is off screen (a narrow terminal), the hint says what the order is.
            let shown = Column.layout(width: s.width, stores: s.ledger.isMultiStore).contains { $0.0 == s.sortColumn }
            let sortHint = shown ? "sort" : "sort (\(s.sortColumn.title.lowercased())\(s.sortDescending ? "▼" : "▲"))"
            h += [("⏎", "detail"), ("s/S", sortHint), ("F", "findings"), ("Tab", s.focus == .table ? "tail" : "table"),
                  ("p", s.tail.isPaused ? "resume" : "pause"), ("y", "copy"), (":", "command")]
            return h
        case .detail:
            let n = s.detail?.siblings.count ?? 0
            let sibling: [(String, String)] = n == 0 ? [] : [(n == 1 ? "1" : "1-\(n)", "sibling")]
            return [("Esc", "back")] + sibling + [("j/k", "scroll"), ("PgUp/PgDn", "page"), ("g/G", "top/end"), ("y", "copy token"),
                    ("?", "help"), ("q", "quit")]
        case .help:
            return [("Esc", "close"), ("j/k", "scroll"), ("q", "quit")]
        case .histogram:
            return [("Esc", "back"), ("⏎", "filter by bar"), ("h/l", "move"), ("z/Z", "zoom in/out"),
                    ("g/G", "first/last"), ("/", "filter"), ("?", "help"), ("q", "quit")]
        case .findings:
            let enter = s.findings.selected?.kind == .doubleChargeSuspect ? "side by side" : "jump to token"
            return [("Esc", s.findings.filter.isEmpty ? "back" : "clear"), ("⏎", enter), ("/", "filter"),
                    ("s", s.findings.byTime ? "by severity" : "newest first"), ("j/k", "move"), ("g/G", "top/end"),
                    ("y", "copy token"), ("?", "help"), ("q", "quit")]
        case .compare:
            return [("Esc", "back"), ("←/→", "token"), ("⏎", "open token"), ("j/k", "scroll"), ("y", "copy token"),
                    ("?", "help"), ("q", "quit")]
        }
    }

    static func noticeLine(_ s: AppState, y: Int, into g: inout Grid) {
        if let n = s.notice {
            g.put(" " + Sanitizer.visible(n.text), x: 0, y: y, role: n.isError ? .error : .notice)
            return
        }
        if let load = s.load, !load.finished {
            progress(load, y: y, into: &g)
            return
        }
        var x = 0
        if s.ledger.malformedCount > 0 {
            let n = s.ledger.malformedCount
            var text = " \(Format.count(n)) malformed line\(n == 1 ? "" : "s") skipped"
            if let first = s.ledger.malformed.first {
                text += " (line \(first.position): \(Sanitizer.visible(first.reason)))"
            }
            x += g.put(text + "  ", x: 0, y: y, role: .error)
        }
        if s.mode == .main, !s.filter.isEmpty, s.input == nil {
            x += g.put(" filter ", x: x, y: y, role: .headerLabel)
            x += g.put(Sanitizer.visible(s.filter.source), x: x, y: y, role: .filter)
            x += g.put("  \(Format.count(s.index.count)) of \(Format.count(s.ledger.count)) tokens", x: x, y: y, role: .dim)
        }
        if s.mode == .findings, !s.findings.filter.isEmpty, s.input == nil {
            x += g.put(" filter ", x: x, y: y, role: .headerLabel)
            x += g.put(Sanitizer.visible(s.findings.filter.source), x: x, y: y, role: .filter)
            x += g.put("  \(Format.count(s.findings.shown.count)) of \(Format.count(s.findings.findings.count)) findings",
                       x: x, y: y, role: .dim)
        }
        if s.mode == .main, !s.marks.isEmpty {
            x += g.put("  \(Format.count(s.marks.count)) marked (D purges, :export writes them; Esc clears)", x: x, y: y,
                       role: .notice)
        }
        // Where the selection is, on the right: `row 3 of 120`, after `▲ N new` when rows came above it.
        if s.mode == .main, s.index.count > 0 {
            let new = s.newAbove > 0 ? "▲ \(Format.count(s.newAbove)) new (g: top)  " : ""
            let row = new + "row \(Format.count(s.cursor + 1)) of \(Format.count(s.index.count)) "
            if x + 2 + TextWidth.of(row) <= g.width {
                g.put(row, x: g.width - TextWidth.of(row), y: y, role: .dim)
            } else if !new.isEmpty {
                // No room for both: the news wins (it says the table stopped following), over what was there.
                g.put(" " + new, x: max(0, g.width - TextWidth.of(new) - 1), y: y, role: .notice)
            }
            if !new.isEmpty, x + 2 + TextWidth.of(row) <= g.width {
                g.restyle(row: y, from: g.width - TextWidth.of(row), count: TextWidth.of(new), role: .notice)
            }
        }
        if let line = s.bodySearch.statusLine { g.put("  " + line, x: x, y: y, role: .notice) }
    }

    /// `loading ██████░░░░ 63%  120.0 MB of 190.0 MB  45.1 MB/s  2s left`.
    static func progress(_ p: LoadStatus, y: Int, into g: inout Grid) {
        var x = g.put(" loading ", x: 0, y: y, role: .notice)
        let barWidth = max(10, min(30, g.width / 4))
        let filled = Int((p.fraction * Double(barWidth)).rounded(.down))
        x += g.put(String(repeating: "█", count: filled), x: x, y: y, role: .sparkline)
        x += g.put(String(repeating: "░", count: barWidth - filled), x: x, y: y, role: .dim)
        var text = " \(Int(p.fraction * 100))%  " + Format.quantity(Double(p.done), unit: p.unit)
        if p.total > 0 { text += " of " + Format.quantity(Double(p.total), unit: p.unit) }
        if p.rate > 0 { text += "  " + Format.quantity(p.rate, unit: p.unit) + "/s" }
        if let left = p.secondsLeft { text += "  " + TimeSpan(ms: Int64(left * 1000)).compact + " left" }
        g.put(text, x: x, y: y, role: .normal)
    }
}
