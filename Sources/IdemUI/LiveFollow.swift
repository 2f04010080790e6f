import IdemCore

/// Following live activity predictably: the table's `▲ N new` once the user moved, the tail's cursor and its filter,
/// `n`/`N` over the filter's free text, and the `/` and `:` histories.
extension AppState {
    /// The most entries a history keeps.
    public static let historyLimit = 50

    /// Counts the rows new above the selection since the user moved, when sorted by last seen, newest first: the
    /// table stays put and says `▲ N new` until `g`/Home follows again.
    mutating func countNewAbove() {
        guard pinned, sortColumn == .lastSeen, sortDescending, let seen = pinnedSeen else {
            newAbove = 0
            return
        }
        var n = 0
        while n < index.count, n < cursor, ledger.records[Int(index[n])].lastSeen > seen { n += 1 }
        newAbove = n
    }

    /// The user moved the selection: from now on the table stays on the token, and what arrives above is counted.
    mutating func noteUserMoved() {
        if pinnedSeen == nil, index.count > 0 { pinnedSeen = ledger.records[Int(index[0])].lastSeen }
    }

    /// `g`/Home: the top row, following new tokens again.
    mutating func followTop() {
        moveCursor(to: 0)
        pinned = false
        pinnedSeen = nil
        newAbove = 0
    }

    /// The tail's events to show in `rows` lines, oldest first: only those of tokens the filter shows, unless
    /// `:tail all` (or no filter).
    public func tailEvents(rows: Int) -> [StoreEvent] {
        if tailAll || filter.isEmpty { return Array(tail.visible(rows: rows)) }
        let m = FilterMatcher(filter, ledger: ledger, now: now, findings: filterUsesFindings ? findings.findings : [])
        return tail.visible(rows: rows) { e in
            guard let i = ledger.indexOf(e.key) else { return false }
            return m.matches(ledger.records[i], at: i)
        }
    }

    /// Navigation while the tail has focus: a cursor on a line (up pauses), `G`/End follows again, Enter opens the
    /// token of the line under the cursor.
    mutating func handleTailNavigation(_ key: Key) -> [Effect] {
        let rows = layout.tailRows.count
        let page = max(1, rows - 1)
        let shown = tailEvents(rows: rows).count
        func up(_ n: Int) {
            for _ in 0..<n {
                if tail.cursor < min(shown, rows) - 1 {
                    tail.pause()
                    tail.cursor += 1
                } else {
                    tail.scroll(by: 1)
                }
            }
        }
        func down(_ n: Int) {
            for _ in 0..<n {
                if tail.cursor > 0 { tail.cursor -= 1 } else { tail.scroll(by: -1) }
            }
        }
        switch key {
        case .char("k"), .up: up(1)
        case .char("j"), .down: down(1)
        case .pageUp, .ctrl("b"): up(page)
        case .pageDown, .ctrl("f"): down(page)
        case .char("g"), .home:
            tail.scroll(by: Tail.capacity * 2)
            tail.cursor = max(0, min(shown, rows) - 1)
        case .char("G"), .end: tail.resume()
        case .enter:
            let events = tailEvents(rows: rows)
            guard !events.isEmpty else { return [] }
            let e = events[max(0, events.count - 1 - min(tail.cursor, events.count - 1))]
            detail = Detail(key: e.key)
            detailReturnsTo = nil
            mode = .detail
            return [.loadDetail(e.key)]
        default: break
        }
        return []
    }

    /// The words `n`/`N` look for: the filter's free-text terms, else those of the last filter typed.
    var searchWords: [String] {
        func words(_ f: Filter) -> [String] { f.terms.compactMap { if case .text(let t) = $0 { return t }; return nil } }
        let current = words(filter)
        if !current.isEmpty { return current }
        for text in filterHistory.reversed() {
            if case .success(let f) = Filter.parse(text), !words(f).isEmpty { return words(f) }
        }
        return []
    }

    /// `n` (forward) or `N`: the next row whose token, tenant or operation holds every search word, wrapping.
    mutating func searchNext(forward: Bool) {
        let words = searchWords
        guard !words.isEmpty else {
            notice = Notice(text: "n/N look for the filter's free text: type some with /", isError: true, at: now)
            return
        }
        if indexStale { reindex() }
        let count = index.count
        guard count > 0 else { return }
        for step in 1...count {
            let row = ((cursor + (forward ? step : -step)) % count + count) % count
            let r = ledger.records[Int(index[row])]
            let hay = [r.token, ledger.tenant(of: r), ledger.operation(of: r)].map { $0.lowercased() }
            if words.allSatisfy({ w in hay.contains { $0.contains(w) } }) {
                let wrapped = forward ? row <= cursor : row >= cursor
                moveCursor(to: row)
                if wrapped { notice = Notice(text: "search wrapped", isError: false, at: now) }
                return
            }
        }
        notice = Notice(text: "no row holds '\(Sanitizer.visible(words.joined(separator: " ")))'", isError: true, at: now)
    }

    /// Remembers a line typed at `/` or `:` (not twice in a row, at most `historyLimit`).
    mutating func remember(_ text: String, command: Bool) {
        let t = text.trimmingSpaces
        guard !t.isEmpty else { return }
        if command {
            if commandHistory.last != t { commandHistory.append(t) }
            if commandHistory.count > AppState.historyLimit { commandHistory.removeFirst() }
        } else {
            if filterHistory.last != t { filterHistory.append(t) }
            if filterHistory.count > AppState.historyLimit { filterHistory.removeFirst() }
        }
        historyPosition = nil
    }

    /// ↑/Ctrl-P (older) or ↓/Ctrl-N (newer) in the line being typed: the text of that history entry, or nil.
    mutating func recall(older: Bool, command: Bool) -> String? {
        let list = command ? commandHistory : filterHistory
        guard !list.isEmpty else { return nil }
        let at = historyPosition ?? list.count
        let next = older ? max(0, at - 1) : at + 1
        if next >= list.count {
            historyPosition = nil
            return ""
        }
        historyPosition = next
        return list[next]
    }
}
