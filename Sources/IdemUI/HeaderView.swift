import IdemCore

/// The four header lines: store and clock; counts by status; rates with sparklines; findings by kind.
enum HeaderView {
    static func render(_ s: AppState, into g: inout Grid) {
        let w = g.width
        // Line 0: name, store, clock, tokens, state.
        g.fill(row: 0, role: .header)
        var x = g.put(" idemtop ", x: 0, y: 0, role: .header)
        x += g.put(" " + TextWidth.elideMiddle(Sanitizer.visible(s.storeName), to: max(4, w / 3 - 1)), x: x, y: 0,
                   role: .header)
        x += g.put(" (\(s.storeKind))", x: x, y: 0, role: .headerLabel)
        // Read-only is said where the eye goes first: purge and replay are refused.
        if s.readOnlySource != nil { x += 1 + g.put(" read-only ", x: x + 1, y: 0, role: .error) }
        let state: String
        if let a = s.asOf {
            state = "◷ as of \(Format.clockTime(a))Z"
        } else if let l = s.load, !l.finished {
            state = "◌ loading \(Int(l.fraction * 100))%"
        } else if s.snapshot {
            state = "◼ snapshot, not live"
        } else if s.tail.isPaused {
            state = "‖ tail paused"
        } else {
            state = "● live"
        }
        // Narrow screens keep the state and the time, and drop the date first.
        var right = "\(Format.count(s.ledger.count)) tokens  \(Format.dateTime(s.now))  \(state) "
        if x + 1 + TextWidth.of(right) > w {
            right = "\(Format.count(s.ledger.count)) tokens  \(Format.clockTime(s.now))Z  \(state) "
        }
        if x + 1 + TextWidth.of(right) > w {
            right = "\(Format.clockTime(s.now))Z  \(state) "
        }
        let rx = max(x + 1, w - TextWidth.of(right))
        g.put(right, x: rx, y: 0, role: .header)

        // Line 1: counts by status, each a word and a number.
        // Whole counts only: one that does not fit (and those after it) becomes `…`, never a word without its number.
        var cx = 1
        let parts = TokenStatus.allCases.map { ($0, s.tally[$0]) }
        let roomy = parts.reduce(0) { $0 + $1.0.rawValue.count + 1 + Format.count($1.1).count + 2 } <= w - 1
        for (i, (status, n)) in parts.enumerated() {
            let text = status.rawValue + " " + Format.count(n)
            let more = i < parts.count - 1 ? 2 : 0
            guard cx + TextWidth.of(text) + more <= w - 1 || (i == parts.count - 1 && cx + TextWidth.of(text) <= w) else {
                g.put("…", x: cx, y: 1, role: .dim)
                break
            }
            cx += g.put(status.rawValue, x: cx, y: 1, role: Role(status))
            cx += g.put(" " + Format.count(n) + (roomy ? "  " : " "), x: cx, y: 1, role: n == 0 ? .dim : .normal)
        }

        // Line 2: rates over the last minute, sparklines over the last minutes (one bar per 10 s).
        let minute = s.rates.window(60, endingAt: s.now)
        let last10 = s.rates.window(10, endingAt: s.now)
        let rate = Format.fixed(Double(last10.requests) / 10, 1)
        let labels: [(String, String, (Rates.Bucket) -> Int32)] = [
            ("req/s ", rate, { $0.requests }),
            ("hits ", Format.percent(Int(minute.hits), of: Int(minute.requests)), { $0.hits }),
            ("mismatch ", Format.percent(Int(minute.mismatches), of: Int(minute.requests)), { $0.mismatches }),
        ]
        let fixedWidth = labels.reduce(0) { $0 + TextWidth.of($1.0) + max(4, $1.1.count) + 4 }
        let spark = max(4, min(30, (w - 2 - fixedWidth) / 3))
        var rx2 = 1
        for (label, value, pick) in labels {
            rx2 += g.put(label, x: rx2, y: 2, role: .headerLabel)
            let v = value.count < 4 ? String(repeating: " ", count: 4 - value.count) + value : value
            rx2 += g.put(v + " ", x: rx2, y: 2, role: .normal)
            let line = Rates.sparkline(s.rates.series(spark, step: 10, endingAt: s.now, pick))
            rx2 += g.put(line, x: rx2, y: 2, role: .sparkline)
            rx2 += 3
        }
        findingsLine(s, y: 3, into: &g)
    }

    /// Line 3: how many findings of each kind, coloured by the worst severity of the kind (the counts are words).
    static func findingsLine(_ s: AppState, y: Int, into g: inout Grid) {
        var x = 1
        x += g.put("findings", x: x, y: y, role: .headerLabel)
        x += 2
        guard s.findings.computedAt != nil else {
            g.put("…", x: x, y: y, role: .dim)
            return
        }
        let counts = s.findings.byKind.filter { $0.1 > 0 }
        guard !counts.isEmpty else {
            g.put("none", x: x, y: y, role: .dim)
            return
        }
        // Roomiest form that fits: two spaces and the hint, then without the hint, then one space; else cut with `…`.
        let hint = "F: view"
        func width(_ gap: Int) -> Int {
            counts.reduce(0) { $0 + TextWidth.of($1.0.shortLabel) + 1 + Format.count($1.1).count + gap } - gap
        }
        let room = g.width - 1 - x
        let showHint = width(2) + 2 + TextWidth.of(hint) <= room
        let gap = width(2) <= room ? 2 : 1
        for (i, (kind, n, worst)) in counts.enumerated() {
            let part = kind.shortLabel + " " + Format.count(n)
            let more = i < counts.count - 1 ? 2 : 0
            guard x + TextWidth.of(part) + more <= g.width - 1 else {
                g.put("…", x: x, y: y, role: .dim)
                break
            }
            x += g.put(kind.shortLabel, x: x, y: y, role: worst.map(Role.init) ?? .normal)
            x += g.put(" " + Format.count(n), x: x, y: y, role: .normal)
            x += gap
        }
        if showHint { g.put(hint, x: g.width - TextWidth.of(hint) - 1, y: y, role: .dim) }
    }
}
