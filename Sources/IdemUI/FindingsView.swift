import IdemCore

/// Where each part of the findings view goes: the rates and ages on top, the list, the selected finding's evidence.
public struct FindingsLayout: Sendable, Hashable {
    public var width: Int
    public var height: Int
    /// Lines of text the evidence pane shows under its title.
    public var paneText: Int

    /// A layout whose evidence pane shows `evidenceLines` lines, capped so the list keeps most of the screen.
    public init(width: Int, height: Int, evidenceLines: Int = 2) {
        self.width = width
        self.height = height
        paneText = max(2, min(evidenceLines, height >= 30 ? 6 : height >= 22 ? 4 : 2))
    }

    /// The layout for a state: the pane as tall as the selected finding's evidence needs, within its cap.
    public init(_ s: AppState) {
        self.init(width: s.width, height: s.height, evidenceLines: FindingsView.evidenceLines(s, width: s.width).count)
    }

    /// Rows of the top panes (per-tenant rates beside the age histogram), their titles included; none when short.
    public var topRows: Range<Int> { 1..<(height >= 20 ? 8 : 1) }
    public var listHeaderRow: Int { topRows.upperBound }
    /// Rows of the evidence pane under the list, its title included.
    public var paneRows: Range<Int> { (height - 3 - paneText)..<(height - 2) }
    public var listRows: Range<Int> { (listHeaderRow + 1)..<max(listHeaderRow + 1, paneRows.lowerBound) }
}

/// The findings view (`F`): per-tenant sparklines and the age of live tokens, then every finding, most severe first.
enum FindingsView {
    static func render(_ s: AppState, into g: inout Grid) {
        let l = FindingsLayout(s)
        let list = s.findings.findings
        g.fill(row: 0, role: .header)
        var x = g.put(" idemtop › findings ", x: 0, y: 0, role: .header)
        x += g.put(" " + FindingsReport.summary(list), x: x, y: 0, role: .header)
        let leftOut = s.findings.suppressed.values.reduce(0, +)
        if leftOut > 0 { x += g.put(" (+\(Format.count(leftOut)) not listed)", x: x, y: 0, role: .header) }
        if !s.findings.filter.isEmpty {
            x += g.put(" · \(Format.count(s.findings.shown.count)) match", x: x, y: 0, role: .header,
                       limit: max(0, g.width - x - 1))
        }
        if let at = s.findings.computedAt {
            let right = "as of \(Format.clockTime(at))Z "
            if x + 1 + TextWidth.of(right) <= g.width {
                g.put(right, x: g.width - TextWidth.of(right), y: 0, role: .headerLabel)
            }
        }
        if !l.topRows.isEmpty {
            let histWidth = min(34, g.width / 3)
            tenants(s, x: 0, width: g.width - histWidth - 2, rows: l.topRows, into: &g)
            ages(s, x: g.width - histWidth, width: histWidth, rows: l.topRows, into: &g)
        }
        self.list(s, layout: l, into: &g)
        pane(s, layout: l, into: &g)
    }

    /// A row per tenant, busiest first over the last ten minutes: requests, hits and mismatches as sparklines.
    static func tenants(_ s: AppState, x: Int, width: Int, rows: Range<Int>, into g: inout Grid) {
        let y0 = rows.lowerBound
        let tenantWidth = max(8, min(16, width / 5))
        let spark = max(4, (width - tenantWidth - 3 * 5) / 3)
        var cx = x
        g.put("TENANT", x: cx, y: y0, role: .tableHeader, limit: tenantWidth)
        cx += tenantWidth + 1
        for title in ["REQ/S", "HITS/MIN", "MISMATCH/MIN"] {
            let cell = (" " + title).padding(toLength: spark + 5, withPad: " ", startingAt: 0)
            cx += g.put(cell, x: cx, y: y0, role: .tableHeader, limit: spark + 5)
        }
        let windowed = s.findings.tenantRates.map { ($0.key, $0.value.window(600, endingAt: s.now).requests) }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        if windowed.isEmpty {
            g.put("no requests yet", x: x, y: y0 + 1, role: .dim)
        }
        for (i, (tenant, _)) in windowed.prefix(rows.count - 1).enumerated() {
            guard let r = s.findings.tenantRates[tenant] else { continue }
            let y = y0 + 1 + i
            var cx = x
            let name = TextWidth.truncate(Sanitizer.visible(tenant), to: tenantWidth)
            cx += g.put(name, x: cx, y: y, role: .normal)
            cx = x + tenantWidth + 1
            let picks: [(Rates.Bucket) -> Int32] = [{ $0.requests }, { $0.hits }, { $0.mismatches }]
            let minute = r.window(60, endingAt: s.now)
            let totals = [Format.fixed(Double(minute.requests) / 60, 1), Format.count(Int(minute.hits)),
                          Format.count(Int(minute.mismatches))]
            for (pick, total) in zip(picks, totals) {
                let v = String(repeating: " ", count: max(0, 4 - total.count)) + total + " "
                cx += g.put(v, x: cx, y: y, role: .normal, limit: 5)
                cx += g.put(Rates.sparkline(r.series(spark, step: 10, endingAt: s.now, pick)), x: cx, y: y,
                            role: .sparkline, limit: spark)
            }
        }
    }

    /// The age of live tokens as horizontal bars with counts.
    static func ages(_ s: AppState, x: Int, width: Int, rows: Range<Int>, into g: inout Grid) {
        let y0 = rows.lowerBound
        g.put("AGE OF LIVE TOKENS".padding(toLength: width, withPad: " ", startingAt: 0), x: x, y: y0,
              role: .tableHeader, limit: width)
        let labels = FindingsState.ageBuckets.map(\.0) + ["older"]
        let counts = s.findings.ages
        let top = max(1, counts.max() ?? 1)
        let countWidth = max(1, counts.map { Format.count($0).count }.max() ?? 1)
        let barWidth = max(1, width - 6 - countWidth - 2)
        for (i, label) in labels.enumerated() where y0 + 1 + i < rows.upperBound && i < counts.count {
            let n = counts[i]
            let y = y0 + 1 + i
            g.put(label.padding(toLength: 6, withPad: " ", startingAt: 0), x: x, y: y, role: .headerLabel)
            let bar = n == 0 ? 0 : max(1, Int((Double(n) / Double(top) * Double(barWidth)).rounded()))
            g.put(String(repeating: "█", count: bar), x: x + 6, y: y, role: .sparkline)
            let count = Format.count(n)
            g.put(count, x: x + 6 + bar + (bar > 0 ? 1 : 0), y: y, role: n == 0 ? .dim : .normal)
        }
    }

    /// Columns of the list: severity, kind, tenant, tokens, last seen, then the evidence in what is left.
    static func columns(width: Int) -> (kind: Int, tenant: Int, tokens: Int, evidence: Int, wideKind: Bool) {
        let wide = width >= 110
        let kind = wide ? 23 : 13
        let tenant = wide ? 14 : 10
        let tokens = wide ? 28 : 16
        // Too narrow for a readable word of evidence: no column (the pane under the list has it in full).
        let room = width - (9 + kind + 1 + tenant + 1 + tokens + 1 + 8)
        let evidence = room < 10 ? 0 : room
        return (kind, tenant, tokens, evidence, wide)
    }

    static func list(_ s: AppState, layout l: FindingsLayout, into g: inout Grid) {
        let c = columns(width: g.width)
        // The order in use carries the marker: most severe first, or newest first (`s`).
        let byTime = s.findings.byTime
        let titles: [(String, Int)] = [(byTime ? "SEVERITY" : "SEVERITY▼", 9), ("KIND", c.kind + 1),
                                       ("TENANT", c.tenant + 1), ("TOKENS", c.tokens + 1),
                                       (byTime ? "LAST▼" : "LAST", 8), ("EVIDENCE", c.evidence)]
        g.fill(row: l.listHeaderRow, role: .tableHeader)
        var x = 0
        for (title, w) in titles where w > 0 {
            g.put(title, x: x, y: l.listHeaderRow, role: .tableHeader, limit: w)
            x += w
        }
        let all = s.findings.shown
        if all.isEmpty, let y = l.listRows.first {
            let why = s.findings.computedAt == nil ? "not computed yet"
                : !s.findings.filter.isEmpty
                ? "no findings match '\(Sanitizer.visible(s.findings.filter.source))' (Esc clears it)"
                : "no findings: nothing looks wrong"
            g.put(" " + why, x: 0, y: y, role: .dim)
            return
        }
        // The selection stays in view even when the evidence pane grew under it.
        let rows = l.listRows.count
        let c0 = s.findings.cursor
        var top = min(s.findings.scrollTop, c0)
        if c0 >= top + rows { top = c0 - rows + 1 }
        top = max(0, top)
        for (i, y) in l.listRows.enumerated() {
            let n = top + i
            guard n < all.count else { break }
            let f = all[n]
            let selected = n == s.findings.cursor
            let ago = Format.age(s.now - f.lastSeen)
            let cells: [(String, Int, Role)] = [
                (f.severity.rawValue, 9, Role(f.severity)),
                (c.wideKind ? f.kind.rawValue : f.kind.shortLabel, c.kind + 1, .normal),
                (TextWidth.truncate(Sanitizer.visible(f.tenant), to: c.tenant), c.tenant + 1, .normal),
                (tokensCell(f.tokens, width: c.tokens), c.tokens + 1, .normal),
                (ago, 8, .dim),
                (TextWidth.truncate(Sanitizer.visible(f.evidence), to: c.evidence), c.evidence, .normal),
            ]
            var x = 0
            for (text, w, role) in cells where w > 0 {
                g.put(text, x: x, y: y, role: selected ? .selection : role, limit: max(0, w - 1 + (w == c.evidence ? 1 : 0)))
                x += w
            }
            if selected { g.restyle(row: y, from: 0, count: g.width, role: .selection) }
        }
    }

    /// The tokens as far as `width` allows, always ending with `+N` for those not shown (the audit's cell, but
    /// with room kept for the count when the first token is cut).
    static func tokensCell(_ tokens: [String], width: Int) -> String {
        let shown = tokens.map(Sanitizer.visible)
        let full = FindingsReport.tokensCell(shown, width: width)
        guard TextWidth.of(full) > width, let first = shown.first else { return full }
        let suffix = tokens.count > 1 ? " +\(tokens.count - 1)" : ""
        return TextWidth.truncate(first, to: max(1, width - suffix.count)) + suffix
    }

    /// The selected finding's tokens (unless the evidence names them all) and evidence, wrapped to the width.
    static func evidenceLines(_ s: AppState, width: Int) -> [String] {
        guard let f = s.findings.selected else { return [] }
        let named = f.tokens.allSatisfy { f.evidence.contains($0) }
        let tokens = f.tokens.count > 1 && !named
            ? "tokens: " + f.tokens.map(Sanitizer.visible).joined(separator: ", ") + ". " : ""
        return HelpView.wrapWords(tokens + Sanitizer.visible(f.evidence), width: max(10, width - 2))
    }

    /// The selected finding in full: its tokens and its evidence, wrapped.
    static func pane(_ s: AppState, layout l: FindingsLayout, into g: inout Grid) {
        guard let top = l.paneRows.first else { return }
        g.fill(row: top, role: .border)
        guard let f = s.findings.selected else {
            g.put("─ evidence ", x: 0, y: top, role: .border)
            return
        }
        let side = f.kind == .doubleChargeSuspect && f.tokens.count > 1 ? "⏎ side by side · l " : "⏎ "
        let jump = side + "jump to \(Sanitizer.visible(f.tokens.first ?? "-")) "
        var head = "─ \(f.severity.rawValue) \(f.kind.rawValue) · \(Sanitizer.visible(f.tenant)) · "
        let first = "first \(Format.dateTime(f.firstSeen)) · "
        // The date goes first on a narrow screen: the token Enter jumps to matters more.
        if TextWidth.of(head + first + jump) <= g.width { head += first }
        head += jump
        g.put(head, x: 0, y: top, role: .border, limit: g.width)
        let rows = evidenceLines(s, width: g.width)
        for (i, y) in l.paneRows.dropFirst().enumerated() where i < rows.count {
            let last = y == l.paneRows.upperBound - 1 && rows.count > i + 1
            g.put(" " + (last ? TextWidth.truncate(rows[i] + " …", to: g.width - 2) : rows[i]), x: 0, y: y, role: .normal,
                  limit: g.width)
        }
    }
}
