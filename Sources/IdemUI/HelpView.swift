import IdemCore

/// The help screen: every key, the commands, and the filter syntax.
public enum HelpView {
    /// (key, what it does); a key of "" starts a section titled by the description.
    public static let entries: [(String, String)] = [
        ("", "Table"),
        ("j / ↓, k / ↑", "move the selection"),
        ("PgDn, PgUp", "page down, page up (also Ctrl-F, Ctrl-B; Ctrl-D, Ctrl-U half a page)"),
        ("Space", "mark the row and move on (a ● column); D and :export act on the marks; Esc clears them"),
        ("g / Home, G / End", "first row (following new tokens again), last row"),
        ("Enter", "open the selected token (record, request, stored response, timeline)"),
        ("s, S", "sort by the next column, invert the order"),
        ("/", "filter as you type; Enter keeps it, Esc cancels; ↑/↓ (Ctrl-P/N) earlier filters"),
        ("n, N", "next, previous row holding the filter's free text (or the last filter's)"),
        ("Esc", "dismiss an error, clear the filter, or resume a paused tail"),
        ("y", "copy the selected token to the clipboard (OSC 52)"),
        ("d, :purge", "purge the selected token: a dialog shows what will happen and the reason; Cancel has the focus"),
        ("D, :purge-all", "purge every token the filter shows: type their number to confirm"),
        ("r, :replay", "replay the stored request to --target: a dialog says what the service will do first"),
        ("Tab", "move focus between the table and the tail"),
        ("F, :findings", "the findings view: what the detectors found, per-tenant rates, the age of live tokens"),
        ("", "Tail"),
        ("p", "pause or resume the live tail (a paused tail counts what is new)"),
        ("k / ↑, PgUp", "move the cursor up, then scroll back (pauses the tail) when it has focus"),
        ("Enter", "open the token of the line under the cursor"),
        (":tail all, :tail filter", "every event, or only those of the tokens the filter shows (the default)"),
        ("G / End", "follow again"),
        ("", "Findings"),
        ("j/k, PgUp/PgDn, g/G", "move in the list (most severe first); the pane shows the selected one in full"),
        ("Enter", "a double charge: its tokens side by side, with the verdict; else jump to its token"),
        ("l / →", "jump to its token in the table (clears a filter that hides it)"),
        ("/, s", "filter the findings (the table's terms, severity:high, kind:double); newest first or most severe"),
        ("", "Side by side"),
        ("←/→, Enter", "pick a token, open it (Esc comes back)"),
        ("Esc, F", "back to the table"),
        ("", "Detail"),
        ("j/k, PgUp/PgDn, g/G", "scroll"),
        ("1-9", "open a sibling token (same tenant, operation and payload within the double-charge window)"),
        ("Esc", "back to the table"),
        ("", "Anywhere"),
        ("?", "this help (Esc closes it)"),
        (":", "command line"),
        ("q, Ctrl-C", "quit"),
        ("Ctrl-Z", "suspend (fg brings it back)"),
        ("", "Commands"),
        (":q", "quit"),
        (":theme NAME|PATH", "dark, light, high-contrast, colour-blind, monochrome, or a .theme file"),
        (":sort COLUMN [asc|desc]", "status, tenant, token, operation, created (AGE), expires, hits, mismatches, conflicts, "
            + "last_seen: the names list --sort takes"),
        (":filter TERMS", "set the filter (no terms clears it)"),
        (":findings", "the findings view (also F)"),
        (":export FILE.csv|FILE.json", "write the marks, or the rows the filter shows, with list's columns"),
        ("", "Filter terms (space = AND, ! negates)"),
        ("text", "in the token, operation or tenant"),
        ("status:stuck", "in_progress, stuck, completed, failed, expired, purged"),
        ("tenant:acme op:refunds token:3f2a", "part of the tenant, operation, token"),
        ("hits>3 mismatches>0 conflicts>=1", "counts, with > >= < <= ="),
        ("age>10m age<1h", "how long ago the current execution began (the AGE column)"),
        ("finding:stuck", "in a current finding: " + FindingKind.table.map(\.label).joined(separator: ", ")),
        ("at:07:00..07:30", "had an event in the window (from included, to excluded; A.. and ..B are open)"),
        ("created>07:14 seen<-15m", "when the current execution began, the last request; with > >= < <= ="),
        ("TIME", "RFC 3339, HH:MM[:SS] UTC (the latest at or before the store's newest event), now, -15m -2h -1d"),
        ("body:cus_42", "a request or response body holds the text (searched in the store, with a progress line)"),
        ("", "Time and the histogram"),
        ("i, :histogram", "requests per minute by outcome over the store or the filter"),
        ("h/l, g/G, z/Z", "in the histogram: move over the bars, first/last, zoom in/out (minute, 10 min, hour, day)"),
        ("Enter", "in the histogram: filter by the bar's window (at:START..END) and go back to the table"),
        ("t, :columns abs|rel", "AGE and LAST SEEN as clock times (UTC) or as time ago"),
        (":at TIME, :at now", "the store as it stood at TIME (later events left out), or live again"),
        (":goto TIME", "move the table (sorted by last seen) and the tail to TIME"),
        ("severity:high kind:double", "in a finding that severe or worse; kind: is finding:"),
        ("", "Mouse (with --mouse)"),
        ("click", "select a row; click a column header to sort by it"),
        ("wheel", "scroll the table or the tail"),
    ] + kinds

    /// The section on finding kinds, one entry a line of `FindingKind.table`: its name, then how severe it can be,
    /// what it means and its filter term.
    static var kinds: [(String, String)] {
        [("", "Finding kinds (F lists them; the header counts them)")] + FindingKind.table.map { x in
            (x.kind.rawValue, "\(x.severityText): \(x.summary) (finding:\(x.label))")
        }
    }

    static func wrapWords(_ text: String, width: Int) -> [String] {
        var rows: [String] = []
        var current = ""
        for word in text.split(separator: " ") {
            if !current.isEmpty, TextWidth.of(current) + 1 + TextWidth.of(word) > width {
                rows.append(current)
                current = ""
            }
            current += (current.isEmpty ? "" : " ") + word
        }
        rows.append(current)
        return rows
    }

    static func render(_ s: AppState, into g: inout Grid) {
        g.fill(row: 0, role: .header)
        g.put(" idemtop › help", x: 0, y: 0, role: .header)
        let body = s.layout.bodyRows
        let lines = self.lines(width: g.width)
        let scroll = min(s.helpScroll, max(0, lines.count - body.count))
        for (i, y) in body.enumerated() {
            let n = scroll + i
            guard n < lines.count else { break }
            g.put(lines[n], x: 0, y: y, limit: g.width)
        }
    }

    /// The help's rows at a screen width. Each section lines its descriptions up just past its own widest key,
    /// so a long filter example does not push every other section's text to the right.
    static func lines(width: Int) -> [[Span]] {
        var lines: [[Span]] = []
        var column = 0
        for (i, (key, what)) in entries.enumerated() {
            if key.isEmpty {
                if !lines.isEmpty { lines.append([]) }
                lines.append([Span(what, .header)])
                let section = entries[(i + 1)...].prefix { !$0.0.isEmpty }
                column = max(23, 2 + (section.map { TextWidth.of($0.0) }.max() ?? 0) + 3)
                continue
            }
            let pad = max(1, column - 2 - TextWidth.of(key))
            // Descriptions wrap on words under their own column.
            let rows = wrapWords(what, width: max(10, width - column - 1))
            lines.append([Span("  " + key, .keyHint), Span(String(repeating: " ", count: pad)), Span(rows[0])])
            for more in rows.dropFirst() { lines.append([Span(String(repeating: " ", count: column)), Span(more)]) }
        }
        return lines
    }
}
