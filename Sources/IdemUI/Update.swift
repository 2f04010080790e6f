import IdemCore

/// The pure update: applies a message to the state and returns the effects the run loop must perform.
public func update(_ state: inout AppState, _ message: Message) -> [Effect] {
    state.update(message)
}

extension AppState {
    /// Applies one message; see `update(_:_:)`.
    public mutating func update(_ message: Message) -> [Effect] {
        switch message {
        case .key(let key):
            return handle(key)
        case .mouse(let m):
            return handle(m)
        case .resize(let w, let h):
            width = max(1, w)
            height = max(1, h)
            keepCursorVisible()
            return []
        case .tick(let wall):
            // As of an instant the clock stands there; a notice still goes after ten seconds of the wall's.
            if asOf != nil, let n = notice, !n.isError {
                if n.at == now { notice?.at = wall } else if wall - n.at > .seconds(10) { notice = nil }
            }
            let t = asOf ?? wall
            let crossedSecond = t.ms / 1000 != now.ms / 1000
            now = t
            // Statuses derive from the clock: a sort or filter by status can change as time passes.
            let statusesMoved = tally.advance(to: now, in: ledger)
            if crossedSecond, statusesMoved, sortColumn == .status || filterUsesStatus { indexStale = true }
            // An age term lets rows in (or out) as the clock moves, whether or not a status changed.
            if crossedSecond, filterUsesAge || filter.usesRelativeTime { indexStale = true }
            if let n = notice, !n.isError, t - n.at > .seconds(10) { notice = nil }
            if statusesMoved { findings.dirty = true }
            refreshFindings()
            return []
        case .events(let batch, let malformed):
            return apply(batch, malformed: malformed)
        case .progress(let p):
            load = p
            return []
        case .notices(let lines):
            if let last = lines.last { notice = Notice(text: last, isError: false, at: now) }
            return []
        case .snapshot(let on):
            snapshot = on
            return []
        case .storeFindings(let store, let list):
            findings.detector.supply(list, store: store)
            findings.dirty = true
            refreshFindings()
            return []
        case .detailLoaded(let content):
            guard var d = detail, d.key == content.key else { return [] }
            d.content = content
            d.failure = nil
            detail = d
            buildDetailLines()
            return []
        case .detailFailed(let key, let why):
            guard detail?.key == key else { return [] }
            detail?.failure = why
            return []
        case .compareLoaded(let content):
            compareArrived(content.key, content: content, failure: nil)
            return []
        case .compareFailed(let key, let why):
            compareArrived(key, content: nil, failure: why)
            return []
        case .notice(let text):
            notice = Notice(text: text, isError: false, at: now)
            return []
        case .error(let text):
            notice = Notice(text: text, isError: true, at: now)
            return []
        case .reindex:
            reindex()
            if mode == .histogram { rebuildHistogram() }
            return []
        case .refolded(let fold):
            takeRefold(fold)
            return []
        case .tokenTable(let table):
            takeTokenTable(table)
            return []
        case .history(let batch):
            takeHistory(batch)
            return []
        case .bodySearchProgress, .bodySearchFinished, .bodySearchFailed:
            bodySearchMessage(message)
            return []
        case .purgeFinished(_, let refused, let text):
            notice = Notice(text: text, isError: refused, at: now)
            return []
        case .purgeManyFinished(let text, let failed):
            bulkPurgeFinished(text: text, failed: failed)
            return []
        case .replayPrepared(let preview):
            return replayPrepared(preview)
        case .replayStarted(let key, let target, let at):
            return replayStarted(key, target: target, at: at)
        case .replayFinished(let key, let lines, let failed):
            return replayFinished(key, lines: lines, failed: failed)
        }
    }

    var filterUsesStatus: Bool {
        filter.terms.contains { if case .status = $0 { return true }; if case .not(.status) = $0 { return true }; return false }
    }

    var filterUsesAge: Bool {
        filter.terms.contains { if case .age = $0 { return true }; if case .not(.age) = $0 { return true }; return false }
    }

    var filterUsesFindings: Bool {
        filter.usesFindings
    }

    /// Recomputes the findings when due (at most once a second of the clock, and only when something moved);
    /// `force` recomputes now, e.g. when the findings view opens. A filter by finding follows the new findings.
    public mutating func refreshFindings(force: Bool = false) {
        guard findings.refresh(at: now, ledger: ledger, force: force) else { return }
        if filterUsesFindings { indexStale = true }
        // The open detail lists the token's findings: the new ones.
        if mode == .detail, detail?.content != nil { buildDetailLines() }
    }

    /// Builds the open detail's lines from its content, the token's current findings and its siblings.
    mutating func buildDetailLines() {
        guard var d = detail, let content = d.content else { return }
        let window = findings.detector.config.doubleChargeWindow
        d.siblings = DetailRelations.siblings(of: content.key, in: ledger, window: window)
        d.lines = DetailBuilder.lines(content, record: ledger.record(content.key), ledger: ledger, now: now,
                                      secrets: secrets,
                                      findings: DetailRelations.findings(of: content.key, in: findings.findings),
                                      siblings: d.siblings, siblingWindow: window)
        detail = d
    }

    mutating func apply(_ batch: [StoreEvent], malformed: [MalformedEntry]) -> [Effect] {
        var touchedDetail = false
        let detailKey = detail?.key
        for e in shown(batch) {
            if let i = ledger.apply(e) { tally.touched(i, in: ledger, by: e, now: now) }
            rates.add(e)
            findings.observe(e)
            if Tail.shows(e) { tail.add(e) }
            if let k = detailKey, e.tenant == k.tenant, e.token == k.token { touchedDetail = true }
        }
        for m in malformed { ledger.noteMalformed(m) }
        if !batch.isEmpty { indexStale = true }
        // The open detail shows the timeline: read it again when its token moved.
        if touchedDetail, let k = detailKey, mode == .detail { return [.loadDetail(k)] }
        return []
    }

    /// Rebuilds the row index, keeping the selection on the same token (or on the top row until the user moves).
    public mutating func reindex() {
        let screenOffset = cursor - scrollTop
        index.rebuild(ledger: ledger, filter: filter, sort: sortColumn, descending: sortDescending, now: now,
                      findings: filterUsesFindings ? findings.findings : [],
                      bodies: bodySearch.found.isEmpty ? [:] : bodyMatches)
        indexStale = false
        if pinned, let sel = selectedRecord, let row = index.row(of: sel) {
            cursor = row
            scrollTop = max(0, row - screenOffset)
        } else if !pinned {
            cursor = 0
            scrollTop = 0
        }
        cursor = max(0, min(cursor, index.count - 1))
        selectedRecord = index.count > 0 ? index[cursor] : nil
        keepCursorVisible()
        countNewAbove()
    }

    /// Moves the table selection to a row and pins it to that token.
    mutating func moveCursor(to row: Int) {
        guard index.count > 0 else { return }
        noteUserMoved()
        cursor = max(0, min(index.count - 1, row))
        selectedRecord = index[cursor]
        pinned = true
        keepCursorVisible()
    }

    mutating func keepCursorVisible() {
        let h = max(1, layout.tableHeight)
        if cursor < scrollTop { scrollTop = cursor }
        if cursor >= scrollTop + h { scrollTop = cursor - h + 1 }
        scrollTop = max(0, min(scrollTop, max(0, index.count - h)))
    }

    /// Opens the detail of the selected token; the run loop loads it.
    mutating func openDetail() -> [Effect] {
        guard let key = selectedKey else { return [] }
        detail = Detail(key: key)
        detailReturnsTo = nil
        mode = .detail
        return [.loadDetail(key)]
    }

    /// Sets the filter from text; a text that does not parse leaves the current filter and says why.
    @discardableResult
    public mutating func setFilter(_ text: String) -> Bool {
        if mode == .findings { return setFindingsFilter(text) }
        switch Filter.parse(text) {
        case .success(let f):
            filterError = nil
            if f != filter {
                filter = f
                indexStale = true
                // A new filter starts at its first match (the old row position means nothing in other rows).
                pinned = false
                pinnedSeen = nil
            }
            return true
        case .failure(let e):
            filterError = e.message
            return false
        }
    }

    /// Sorts by a column; the same column again inverts the order.
    public mutating func sort(by column: Column, descending: Bool? = nil) {
        if let d = descending {
            sortDescending = d
        } else if column == sortColumn {
            sortDescending.toggle()
        } else {
            sortDescending = column.defaultDescending
        }
        sortColumn = column
        indexStale = true
    }
}
