import IdemCore

/// The token table: a header with the sort marker, then only the visible rows.
enum TableView {
    static func render(_ s: AppState, into g: inout Grid) {
        let l = s.layout
        let columns = Column.layout(width: g.width - s.markerWidth, stores: s.ledger.isMultiStore)
        // Header.
        g.fill(row: l.tableHeaderRow, role: .tableHeader)
        var x = s.markerWidth
        for (c, w) in columns {
            g.put(headerTitle(c, width: w, sort: s.sortColumn, descending: s.sortDescending,
                              absoluteTimes: s.absoluteTimes), x: x, y: l.tableHeaderRow, role: .tableHeader, limit: w)
            x += w + 1
        }
        guard s.index.count > 0 else {
            let why = s.ledger.count == 0 ? (s.load.map { !$0.finished } ?? false ? "loading…" : "no tokens yet")
                : "no tokens match the filter '\(Sanitizer.visible(s.filter.source))' (Esc clears it)"
            g.put(why, x: 2, y: l.tableRows.lowerBound + 1, role: .dim)
            return
        }
        let records = s.ledger.records
        for (i, y) in l.tableRows.enumerated() {
            let row = s.scrollTop + i
            guard row < s.index.count else { break }
            let recordIndex = Int(s.index[row])
            guard recordIndex < records.count else { continue }
            let r = records[recordIndex]
            let selected = row == s.cursor
            if selected { g.fill(row: y, role: .selection) }
            if s.markerWidth > 0, s.marks.contains(Int32(recordIndex)) {
                g.put("●", x: 0, y: y, role: selected ? .selection : .notice)
            }
            var cx = s.markerWidth
            for (c, w) in columns {
                let (text, role) = cell(c, r, s)
                let shown = c == .operation ? TextWidth.elideOperation(text, to: w)
                    : c == .token || c == .tenant ? TextWidth.elideMiddle(text, to: w) : TextWidth.truncate(text, to: w)
                let cellRole = selected && c != .status ? .selection : role
                g.put(c.rightAligned ? leftPad(shown, w) : shown, x: cx, y: y, role: cellRole, limit: w)
                cx += w + 1
            }
        }
    }

    /// A column's title as the header shows it: cut to leave room for the sort marker (`HIT▼`, `LAST SEE▼`), so the
    /// marker is never the part cut off; right-aligned over number columns.
    static func headerTitle(_ c: Column, width w: Int, sort: Column, descending: Bool,
                            absoluteTimes: Bool = false) -> String {
        var title = c == .age && absoluteTimes ? "SINCE" : c.title
        if c == sort {
            title = TextWidth.prefix(title, fitting: max(0, w - 1)).0 + (descending ? "▼" : "▲")
        }
        return c.rightAligned ? leftPad(title, w) : title
    }

    /// The text and role of one cell.
    static func cell(_ c: Column, _ r: TokenRecord, _ s: AppState) -> (String, Role) {
        switch c {
        case .status:
            let st = r.status(at: s.now)
            return (st.rawValue, Role(st))
        case .store: return (Sanitizer.visible(s.ledger.storeName(of: r)), .dim)
        case .tenant: return (Sanitizer.visible(s.ledger.tenant(of: r)), .normal)
        case .token: return (Sanitizer.visible(r.token), .normal)
        case .operation: return (Sanitizer.visible(s.ledger.operation(of: r)), .normal)
        case .age: return (s.absoluteTimes ? String(Format.clockTime(r.createdAt).prefix(5)) : Format.age(s.now - r.createdAt),
                           .normal)
        case .expires:
            let st = r.status(at: s.now)
            let role: Role = st == .stuck ? .stuck : st == .expired ? .expired : st == .purged ? .purged : .normal
            return (Format.expiresIn(r, now: s.now), role)
        case .hits: return ("\(r.hits)", r.hits > 0 ? .normal : .dim)
        case .mismatches: return ("\(r.mismatches)", r.mismatches > 0 ? .mismatch : .dim)
        case .conflicts: return ("\(r.conflicts)", r.conflicts > 0 ? .conflict : .dim)
        case .lastSeen: return (s.absoluteTimes ? Format.clockTime(r.lastSeen) : Format.coarse(s.now - r.lastSeen) + " ago",
                                .normal)
        }
    }

    static func leftPad(_ s: String, _ w: Int) -> String {
        let n = TextWidth.of(s)
        return n >= w ? s : String(repeating: " ", count: w - n) + s
    }
}
