import IdemCore

/// The live tail pane: a title saying whether it follows, then the newest request and admin events.
enum TailView {
    static func render(_ s: AppState, into g: inout Grid) {
        let l = s.layout
        let y0 = l.tailTitleRow
        g.fill(row: y0, role: .border)
        let focused = s.focus == .tail
        var x = g.put("── ", x: 0, y: y0, role: .border)
        x += g.put("tail", x: x, y: y0, role: focused ? .header : .headerLabel)
        x += g.put(" ── ", x: x, y: y0, role: .border)
        if s.tail.isPaused {
            let n = s.tail.newSincePause
            x += g.put("PAUSED", x: x, y: y0, role: .notice)
            x += g.put(n > 0 ? " · \(Format.count(n)) new" : "", x: x, y: y0, role: .notice)
            x += g.put(" (p resumes)", x: x, y: y0, role: .dim)
        } else {
            x += g.put("following", x: x, y: y0, role: .dim)
        }
        if !s.filter.isEmpty {
            x += g.put(s.tailAll ? " · all tokens (:tail filter)" : " · the filter's tokens (:tail all)", x: x, y: y0,
                       role: .dim)
        }
        g.put(" " + String(repeating: "─", count: max(0, g.width - x - 1)), x: x, y: y0, role: .border)

        let events = s.tailEvents(rows: l.tailRows.count)
        if events.isEmpty {
            g.put(s.filter.isEmpty || s.tailAll ? "waiting for requests…" : "no events of the filter's tokens (:tail all)",
                  x: 2, y: l.tailRows.lowerBound, role: .dim)
            return
        }
        let cursorLine = focused ? events.count - 1 - min(s.tail.cursor, events.count - 1) : -1
        for (n, (e, y)) in zip(events, l.tailRows).enumerated() {
            line(e, y: y, into: &g)
            if n == cursorLine { g.restyle(row: y, from: 0, count: g.width, role: .selection) }
        }
    }

    static func line(_ e: StoreEvent, y: Int, into g: inout Grid) {
        var x = g.put(Format.clockTime(e.at) + " ", x: 0, y: y, role: .dim)
        x += g.put(pad(e.label, 11), x: x, y: y, role: Role(event: e))
        x += g.put(pad(TextWidth.elideMiddle(Sanitizer.visible(e.tenant), to: 10), 11), x: x, y: y, role: .normal)
        x += g.put(pad(TextWidth.elideMiddle(Sanitizer.visible(e.token), to: 20), 21), x: x, y: y, role: .normal)
        var rest = Sanitizer.visible(e.operation ?? "")
        if e.kind.isAdmin {
            rest = "by \(Sanitizer.visible(e.actor ?? "?"))" + (e.reason.map { ": " + Sanitizer.visible($0) } ?? "")
        } else if e.kind == .failed {
            rest = "error: " + Sanitizer.visible(e.error ?? "")
        }
        g.put(rest, x: x, y: y, role: e.kind.isAdmin ? .admin : .normal, limit: max(0, g.width - x))
    }

    static func pad(_ s: String, _ w: Int) -> String {
        let n = TextWidth.of(s)
        return n >= w ? s : s + String(repeating: " ", count: w - n)
    }
}
