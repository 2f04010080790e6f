import IdemCore

extension AppState {
    /// Opens the findings view, recomputing the findings first so that what it lists is current: after a change,
    /// or when the clock has moved since they were computed (their evidence says "stuck for 2m" as of then).
    public mutating func openFindings() {
        refreshFindings(force: findings.dirty || findings.computedAt != now)
        mode = .findings
        findings.cursor = max(0, min(findings.cursor, findings.shown.count - 1))
        keepFindingVisible()
    }

    /// Keys in the findings view: move in the list, Enter jumps to the token, Esc goes back.
    mutating func handleFindings(_ key: Key) -> [Effect] {
        let page = max(1, FindingsLayout(self).listRows.count - 1)
        let at = findings.cursor
        switch key {
        case .char("q"): return [.quit]
        case .escape where !findings.filter.isEmpty:
            findings.narrow(.all, ledger: ledger, now: now)
        case .escape, .backspace, .char("h"), .left, .char("F"):
            mode = .main
        case .char("/"):
            if notice?.isError == true { notice = nil }
            input = .filter(text: findings.filter.source, previous: findings.filter)
        case .char("s"):
            findings.narrow(byTime: !findings.byTime, ledger: ledger, now: now)
            notice = Notice(text: findings.byTime ? "findings newest first" : "findings most severe first",
                            isError: false, at: now)
        case .char("?"), .function(1):
            mode = .help
            helpReturnsTo = .findings
            helpScroll = 0
        case .char(":"):
            input = .command(text: "")
        case .char("j"), .down: moveFinding(to: at + 1)
        case .char("k"), .up: moveFinding(to: at - 1)
        case .pageDown, .char(" "), .ctrl("f"): moveFinding(to: at + page)
        case .pageUp, .ctrl("b"): moveFinding(to: at - page)
        case .char("g"), .home: moveFinding(to: 0)
        case .char("G"), .end: moveFinding(to: findings.shown.count - 1)
        case .enter where findings.selected?.kind == .doubleChargeSuspect && (findings.selected?.tokens.count ?? 0) > 1:
            return openCompare()
        case .enter, .right, .char("l"):
            jumpToSelectedFinding()
        case .char("y"):
            if let t = findings.selected?.tokens.first { return [.copy(t)] }
        default: break
        }
        return []
    }

    mutating func moveFinding(to row: Int) {
        findings.cursor = max(0, min(findings.shown.count - 1, row))
        keepFindingVisible()
    }

    mutating func keepFindingVisible() {
        let h = max(1, FindingsLayout(self).listRows.count)
        let c = findings.cursor
        if c < findings.scrollTop { findings.scrollTop = c }
        if c >= findings.scrollTop + h { findings.scrollTop = c - h + 1 }
        findings.scrollTop = max(0, min(findings.scrollTop, max(0, findings.shown.count - h)))
    }

    /// Sets the findings view's filter from text (the `/` line while the findings view is up).
    @discardableResult
    mutating func setFindingsFilter(_ text: String) -> Bool {
        switch Filter.parse(text) {
        case .success(let f):
            filterError = nil
            if f != findings.filter { findings.narrow(f, ledger: ledger, now: now) }
            return true
        case .failure(let e):
            filterError = e.message
            return false
        }
    }

    /// Goes back to the table with the selected finding's (first) token selected: the filter is cleared when it
    /// hides the token, and set to `token:...` when the table has no record of it (a token the store never held).
    public mutating func jumpToSelectedFinding() {
        guard let f = findings.selected, let token = f.tokens.first else { return }
        mode = .main
        focus = .table
        let key = f.key(0)
        guard let record = ledger.indexOf(key).map(Int32.init) else {
            setFilter("token:" + token)
            notice = Notice(text: "no record of \(Sanitizer.visible(token)) in \(Sanitizer.visible(f.tenant)): "
                + "filtered by token", isError: false, at: now)
            return
        }
        if indexStale { reindex() }
        if index.row(of: record) == nil, !filter.isEmpty {
            filter = .all
            filterError = nil
            notice = Notice(text: "filter cleared to show \(Sanitizer.visible(token))", isError: false, at: now)
            indexStale = true
            reindex()
        }
        guard let row = index.row(of: record) else { return }
        // Land in the middle of the table, so the rows around the token are in view.
        scrollTop = max(0, row - layout.tableHeight / 2)
        moveCursor(to: row)
    }
}
