import IdemCore

/// The store as it stood at an instant (`--at`, `:at`), `:goto`, and absolute times in the table (`t`).
///
/// As of an instant, events after it are left out and statuses derive from it: the clock stands still there.
/// `:at` in place asks the run loop to read the store again from its start on the feed's thread
/// (`Effect.refold`), and the state takes the fold it answers (`Message.refolded`) whole.
extension AppState {
    /// The events of a batch the state shows: all of them live, those up to the instant as of one.
    func shown(_ batch: [StoreEvent]) -> [StoreEvent] {
        guard let t = asOf else { return batch }
        return batch.allSatisfy({ $0.at <= t }) ? batch : batch.filter { $0.at <= t }
    }

    /// `:at TIME` or `:at now`: the store as it stood then, or live again.
    mutating func runAt(_ args: [String]) throws -> [Effect] {
        guard let text = args.first, args.count == 1 else {
            throw CommandError("usage: :at TIME|now (2026-11-28T07:14:00Z, 07:14 UTC, -2h)")
        }
        guard let spec = TimeSpec(parsing: text) else {
            throw CommandError("':at \(Sanitizer.visible(text))': a time such as 2026-11-28T07:14:00Z, 07:14 (UTC), -2h or now")
        }
        guard !ledger.isMultiStore else { throw CommandError(":at works with one store open") }
        let live = spec == .relative(TimeSpan(ms: 0))
        let target: Instant? = live ? nil : spec.resolve(reference: now, anchor: ledger.lastEventAt)
        notice = Notice(text: target.map { "reading the store as of \(AppState.shortRFC3339($0))…" } ?? "reading the store live…",
                        isError: false, at: now)
        return [.refold(asOf: target)]
    }

    /// Takes a fold the run loop made on the feed's thread (the store read again up to `asOf`).
    mutating func takeRefold(_ fold: Refold) {
        ledger = fold.state.ledger
        tally = fold.state.tally
        findings = fold.state.findings
        tail = fold.state.tail
        rates = fold.state.rates
        asOf = fold.asOf
        if let t = fold.asOf { now = t } else if let wall = fold.wall { now = wall }
        _ = tally.advance(to: now, in: ledger)
        findings.dirty = true
        refreshFindings(force: true)
        indexStale = true
        pinned = false
        notice = Notice(text: fold.asOf.map { "as of \(AppState.shortRFC3339($0)): later events left out" } ?? "live again",
                        isError: false, at: now)
    }

    /// `:goto TIME`: the table (sorted by last seen unless sorted by age) and the tail move to that instant.
    mutating func runGoto(_ args: [String]) throws -> [Effect] {
        guard let text = args.first, args.count == 1, let spec = TimeSpec(parsing: text) else {
            throw CommandError("usage: :goto TIME (2026-11-28T07:14:00Z, 07:14 UTC, -15m)")
        }
        let t = spec.resolve(reference: now, anchor: ledger.lastEventAt)
        if sortColumn != .lastSeen, sortColumn != .age { sort(by: .lastSeen, descending: true) }
        if indexStale { reindex() }
        mode = .main
        // The row with the latest time at or before the instant (the earliest row when none is that early); the
        // order is by that time, so the rows around it are the ones around the instant.
        let byCreated = sortColumn == .age
        var best = -1, bestTime = Int64.min, earliest = -1, earliestTime = Int64.max
        ledger.records.withUnsafeBufferPointer { recs in
            for (row, i) in index.rows.enumerated() {
                let v = byCreated ? recs[Int(i)].createdAt.ms : recs[Int(i)].lastSeen.ms
                if v <= t.ms, v > bestTime { bestTime = v; best = row }
                if v < earliestTime { earliestTime = v; earliest = row }
            }
        }
        if best < 0 { best = earliest }
        if best >= 0 { moveCursor(to: best) }
        // The tail: paused with the last event at or before the instant at its bottom.
        let events = tail.events
        if let last = events.lastIndex(where: { $0.at <= t }) {
            tail.resume()
            tail.pause()
            tail.scroll = max(0, events.count - last - 1)
            notice = Notice(text: "at \(AppState.shortRFC3339(t)): the table and the tail (paused; G follows again)",
                            isError: false, at: now)
        } else {
            notice = Notice(text: "at \(AppState.shortRFC3339(t)): the table; the tail holds no event that early",
                            isError: false, at: now)
        }
        return []
    }

    /// `:columns abs|rel`: AGE and LAST SEEN as clock times (UTC) or as spans back from now.
    mutating func runColumns(_ args: [String]) throws -> [Effect] {
        switch args.first?.lowercased() {
        case "abs", "absolute": absoluteTimes = true
        case "rel", "relative": absoluteTimes = false
        case nil: absoluteTimes.toggle()
        default: throw CommandError("usage: :columns abs|rel (AGE and LAST SEEN as clock times or as time ago)")
        }
        return []
    }
}

/// A fold of the store made away from the loop (`Effect.refold`): the parts of a state that follow from the events.
public struct Refold: Sendable {
    public var state: AppState
    public var asOf: Instant?
    /// The wall clock when it was made (the state's clock when live again).
    public var wall: Instant?

    public init(state: AppState, asOf: Instant?, wall: Instant?) {
        self.state = state
        self.asOf = asOf
        self.wall = wall
    }
}
