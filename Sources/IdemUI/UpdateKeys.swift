import IdemCore

extension AppState {
    /// Dispatches a key to the line being typed, or to the screen that is up.
    mutating func handle(_ key: Key) -> [Effect] {
        if key == .ctrl("c") { return [.quit] }
        if key == .ctrl("z") { return [.suspend] }
        if input != nil { return handleInput(key) }
        if purgeDialog != nil { return handleDialog(key) }
        if replayDialog != nil { return handleReplayDialog(key) }
        if bulkPurge != nil { return handleBulkPurge(key) }
        if replayPanel != nil, let effects = handleReplayPanel(key) { return effects }
        switch mode {
        case .main: return handleMain(key)
        case .detail: return handleDetail(key)
        case .help: return handleHelp(key)
        case .findings: return handleFindings(key)
        case .histogram: return handleHistogram(key)
        case .compare: return handleCompare(key)
        }
    }

    mutating func handleMain(_ key: Key) -> [Effect] {
        let page = max(1, layout.tableHeight - 1)
        switch key {
        case .char("q"): return [.quit]
        case .char("?"), .function(1):
            mode = .help
            helpScroll = 0
        case .char("F"):
            openFindings()
        case .char("i"):
            openHistogram()
        case .char("t"):
            absoluteTimes.toggle()
        case .char("/"):
            // Starting a new filter or command moves on from an error: it would hide the filter's count.
            if notice?.isError == true { notice = nil }
            historyPosition = nil
            input = .filter(text: filter.source, previous: filter)
        case .char(":"):
            if notice?.isError == true { notice = nil }
            historyPosition = nil
            input = .command(text: "")
        case .tab, .backTab:
            focus = focus == .table ? .tail : .table
        case .char("p"):
            if tail.isPaused { tail.resume() } else { tail.pause() }
        case .char("s"):
            // Cycle through the columns on screen, so the sort marker is always visible.
            let all = Column.layout(width: width - markerWidth, stores: ledger.isMultiStore).map(\.0)
            let next = all.isEmpty ? sortColumn : all[((all.firstIndex(of: sortColumn) ?? -1) + 1) % all.count]
            sort(by: next)
        case .char("S"):
            sort(by: sortColumn, descending: !sortDescending)
        case .char("d"):
            return openPurgeDialog()
        case .char("D"):
            return openBulkPurge()
        case .char("r"):
            return replaySelected()
        case .char("y"):
            if let k = selectedKey {
                notice = Notice(text: "copied \(Sanitizer.visible(k.token)) to the clipboard", isError: false, at: now)
                return [.copy(k.token)]
            }
        case .escape:
            if notice?.isError == true {
                notice = nil
            } else if clearMarks() {
            } else if !filter.isEmpty {
                filter = .all
                filterError = nil
                indexStale = true
                return bodySearchEffects()
            } else if tail.isPaused {
                tail.resume()
            }
        case .enter where focus == .table:
            return openDetail()
        default:
            if focus == .tail { return handleTailNavigation(key) }
            switch key {
            case .char("j"), .down: moveCursor(to: cursor + 1)
            case .char("k"), .up: moveCursor(to: cursor - 1)
            case .char(" "): toggleMark()
            case .pageDown, .ctrl("f"): moveCursor(to: cursor + page)
            case .pageUp, .ctrl("b"): moveCursor(to: cursor - page)
            case .ctrl("d"): moveCursor(to: cursor + page / 2)
            case .ctrl("u"): moveCursor(to: cursor - page / 2)
            case .char("g"), .home: followTop()
            case .char("G"), .end: moveCursor(to: index.count - 1)
            case .char("n"): searchNext(forward: true)
            case .char("N"): searchNext(forward: false)
            default: break
            }
        }
        return []
    }

    mutating func handleDetail(_ key: Key) -> [Effect] {
        let page = max(1, layout.bodyRows.count - 1)
        let maxScroll = DetailView.maxScroll(detail?.lines ?? [], width: width, rows: layout.bodyRows.count)
        func scroll(_ to: Int) { detail?.scroll = max(0, min(maxScroll, to)) }
        let at = detail?.scroll ?? 0
        switch key {
        case .char("q"): return [.quit]
        case .escape, .backspace, .char("h"), .left:
            mode = detailReturnsTo ?? .main
            detailReturnsTo = nil
            detail = nil
        case .char("?"), .function(1):
            mode = .help
            helpScroll = 0
        case .char("j"), .down: scroll(at + 1)
        case .char("k"), .up: scroll(at - 1)
        case .pageDown, .char(" "), .ctrl("f"): scroll(at + page)
        case .pageUp, .ctrl("b"): scroll(at - page)
        case .char("g"), .home: scroll(0)
        case .char("G"), .end: scroll(maxScroll)
        case .char("y"):
            if let k = detail?.key { return [.copy(k.token)] }
        case .char("d"):
            return openPurgeDialog()
        case .char("r"):
            return replaySelected()
        case .char(":"):
            input = .command(text: "")
        case .char(let c) where c.isNumber:
            // A sibling token: its detail replaces this one (Esc goes back where this one would).
            guard let n = c.wholeNumberValue, let sibs = detail?.siblings, n >= 1, n <= sibs.count else { break }
            detail = Detail(key: sibs[n - 1])
            return [.loadDetail(sibs[n - 1])]
        default: break
        }
        return []
    }

    mutating func handleHelp(_ key: Key) -> [Effect] {
        switch key {
        case .char("q"): return [.quit]
        case .escape, .char("?"), .function(1), .enter, .backspace:
            mode = helpReturnsTo ?? (detail == nil ? .main : .detail)
            helpReturnsTo = nil
        case .char("j"), .down: helpScroll += 1
        case .char("k"), .up: helpScroll = max(0, helpScroll - 1)
        case .pageDown, .char(" "): helpScroll += max(1, layout.bodyRows.count - 1)
        case .pageUp: helpScroll = max(0, helpScroll - max(1, layout.bodyRows.count - 1))
        case .char("g"), .home: helpScroll = 0
        case .char("G"), .end: helpScroll = Int.max / 2
        default: break
        }
        helpScroll = max(0, min(helpScroll, max(0, HelpView.lines(width: width).count - layout.bodyRows.count)))
        return []
    }

    /// The line editor for `/` and `:`: the filter applies as it is typed; Enter keeps it, Esc takes it back.
    mutating func handleInput(_ key: Key) -> [Effect] {
        guard let current = input else { return [] }
        var text: String
        switch current {
        case .filter(let t, _), .command(let t): text = t
        }
        switch key {
        case .escape:
            if case .filter(_, let previous) = current {
                if mode == .findings {
                    findings.narrow(previous, ledger: ledger, now: now)
                    filterError = nil
                    input = nil
                    return []
                }
                filter = previous
                filterError = nil
                indexStale = true
            }
            input = nil
            return bodySearchEffects()
        case .enter:
            input = nil
            switch current {
            case .filter: remember(text, command: false)
            case .command: remember(text, command: true)
            }
            switch current {
            case .filter:
                if !setFilter(text) { notice = Notice(text: filterError ?? "bad filter", isError: true, at: now) }
                return bodySearchEffects()
            case .command:
                return runCommand(text)
            }
        case .backspace, .delete:
            if text.isEmpty {
                return handleInput(.escape)
            }
            text.removeLast()
        case .ctrl("u"):
            text = ""
        case .ctrl("w"):
            while text.last == " " { text.removeLast() }
            while let l = text.last, l != " " { text.removeLast() }
        case .tab:
            if case .command = current { text = Commands.complete(text) }
        case .char(let c):
            text.append(c)
        case .up, .down, .ctrl("p"), .ctrl("n"):
            // The history of what was typed here: ↑/Ctrl-P older, ↓/Ctrl-N newer (past the newest: empty).
            var isCommand = false
            if case .command = current { isCommand = true }
            guard let recalled = recall(older: key == .up || key == .ctrl("p"), command: isCommand) else { return [] }
            text = recalled
        case .pageUp, .pageDown:
            // The table stays navigable while typing a filter.
            if case .filter = current, mode == .main { return handleMain(key) }
            return []
        default:
            return []
        }
        if key != .up, key != .down, key != .ctrl("p"), key != .ctrl("n") { historyPosition = nil }
        switch current {
        case .filter(_, let previous):
            input = .filter(text: text, previous: previous)
            setFilter(text)
            return bodySearchEffects()
        case .command:
            input = .command(text: text)
        }
        return []
    }

    /// A click selects a row or sorts by a header; the wheel scrolls the pane under it.
    mutating func handle(_ m: MouseEvent) -> [Effect] {
        guard mouseEnabled, mode == .main, input == nil else { return [] }
        let l = layout
        switch m.action {
        case .click:
            if m.y == l.tableHeaderRow {
                var x = markerWidth
                for (column, w) in Column.layout(width: width - markerWidth, stores: ledger.isMultiStore) {
                    if m.x >= x, m.x < x + w + 1 { sort(by: column); break }
                    x += w + 1
                }
            } else if l.tableRows.contains(m.y) {
                focus = .table
                moveCursor(to: scrollTop + m.y - l.tableRows.lowerBound)
            } else if l.tailRows.contains(m.y) || m.y == l.tailTitleRow {
                focus = .tail
                // A click on a line puts the tail's cursor on it (and holds the view still).
                let shown = tailEvents(rows: l.tailRows.count).count
                let line = m.y - l.tailRows.lowerBound
                if line >= 0, line < shown {
                    if line < shown - 1 { tail.pause() }
                    tail.cursor = shown - 1 - line
                }
            }
        case .wheelUp, .wheelDown:
            let delta = m.action == .wheelUp ? -3 : 3
            if l.tailRows.contains(m.y) {
                tail.scroll(by: -delta)
            } else {
                moveCursor(to: cursor + delta)
            }
        }
        return []
    }
}
