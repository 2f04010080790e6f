import IdemCore

/// Marks (Space) on the table's rows: what `D` and `:export` act on when there are any, else the filter's rows.
extension AppState {
    /// The columns the marker takes at the table's left while any row is marked.
    public var markerWidth: Int { marks.isEmpty ? 0 : 2 }

    /// Marks or unmarks the selected row and moves to the next one (as htop and k9s do).
    mutating func toggleMark() {
        guard let r = selectedRecord else { return }
        if marks.remove(r) == nil { marks.insert(r) }
        moveCursor(to: cursor + 1)
        keepCursorVisible()
    }

    /// Drops every mark; true when there were some.
    @discardableResult
    mutating func clearMarks() -> Bool {
        guard !marks.isEmpty else { return false }
        notice = Notice(text: "\(Format.count(marks.count)) marks cleared", isError: false, at: now)
        marks = []
        return true
    }

    /// What the table shows, as ledger indexes in table order: the marked rows when any (those the filter hides
    /// too, after the shown ones), else every row of the filter.
    public mutating func actedOnRecords() -> [Int32] {
        if indexStale { reindex() }
        guard !marks.isEmpty else { return index.rows }
        var out = index.rows.filter { marks.contains($0) }
        if out.count < marks.count {
            let shown = Set(out)
            out += marks.filter { !shown.contains($0) }.sorted()
        }
        return out
    }

    /// `:export FILE.csv|FILE.json`: the marks or the filter's rows, written on a worker with `list`'s columns.
    mutating func export(_ args: [String]) throws -> [Effect] {
        let path = args.joined(separator: " ")
        let lower = path.lowercased()
        guard !path.isEmpty, lower.hasSuffix(".csv") || lower.hasSuffix(".json") else {
            throw CommandError("usage: :export FILE.csv|FILE.json (the marks, or the rows the filter shows)")
        }
        let rows = actedOnRecords()
        guard !rows.isEmpty else { throw CommandError("nothing to export: no rows shown") }
        notice = Notice(text: "exporting \(Format.count(rows.count)) \(marks.isEmpty ? "rows" : "marked tokens") to "
            + Sanitizer.visible(path) + "…", isError: false, at: now)
        return [.export(path: path, records: rows)]
    }
}
