import IdemCore

/// Everything that can happen to the dashboard: the pure update's input.
public enum Message: Sendable {
    case key(Key)
    case mouse(MouseEvent)
    /// The terminal's new size in columns and rows.
    case resize(width: Int, height: Int)
    /// The clock moved: the countdowns, statuses and rates follow it.
    case tick(Instant)
    /// A batch of events read from the store, in store order, and lines or rows it could not read.
    case events([StoreEvent], malformed: [MalformedEntry])
    /// Every token of the store at once, read from its token table (a SQLite store's `idem_tokens`) instead of
    /// folded from its events; `.history` follows with those events, then `.events` with new ones as always.
    case tokenTable(Ledger)
    /// Events the token table already holds, oldest first: for the findings, rates, tail and event times only.
    case history([StoreEvent])
    /// Where the first read through the store is.
    case progress(LoadStatus)
    /// Lines the store reader noticed (truncation, rotation).
    case notices([String])
    /// What a store's reader found beyond its events (its whole current list; see `FindingsDetector.supply`).
    case storeFindings(UInt8, [Finding])
    /// Whether the store is read as a snapshot that does not follow new events (SQLite in a folder that cannot be
    /// written, no writer running): the header says so while it lasts.
    case snapshot(Bool)
    /// A detail the run loop loaded for an `Effect.loadDetail`.
    case detailLoaded(DetailContent)
    case detailFailed(TokenKey, String)
    /// A token's detail for the side-by-side view (`Effect.loadCompare`), or why it could not be read.
    case compareLoaded(DetailContent)
    case compareFailed(TokenKey, String)
    /// Something the run loop wants the user to know, e.g. a theme that failed to load.
    case notice(String)
    case error(String)
    /// How a purge the run loop performed ended: `refused` when the store changed since (nothing was written).
    case purgeFinished(TokenKey, refused: Bool, text: String)
    /// How a bulk purge (`Effect.purgeMany`) ended, in a line to show; `failed` when any purge was refused or the
    /// purge could not run.
    case purgeManyFinished(text: String, failed: Bool)
    /// The run loop sent a replay's request to `target` at `at`; its answer comes later as `.replayFinished`.
    case replayStarted(TokenKey, target: String, at: Instant)
    /// The plan of a replay the update asked for with `Effect.prepareReplay`: the confirmation opens on it. A plan
    /// that cannot be made (no target, no stored request) answers with `.replayFinished(failed: true)` instead.
    case replayPrepared(ReplayPreview)
    /// A replay's answer beside the stored response (or why it failed), as lines for the replay panel.
    case replayFinished(TokenKey, lines: [String], failed: Bool)
    /// How far the search of a `body:` needle is (`Effect.searchBodies`): done of total bytes or rows.
    case bodySearchProgress(needle: String, done: Int64, total: Int64)
    /// The tokens whose request or response body holds the needle, in every open store.
    case bodySearchFinished(needle: String, keys: Set<TokenKey>)
    /// The search could not run (a store kind that keeps no searchable bodies), in one line.
    case bodySearchFailed(needle: String, reason: String)
    /// The store read again up to an instant (or all of it) on the feed's thread, for an `Effect.refold`.
    case refolded(Refold)
    /// Rebuild the sorted and filtered row index now (the run loop sends it at a capped rate while it is stale).
    case reindex
}

/// What the pure update asks the run loop to do.
public enum Effect: Sendable, Hashable {
    /// Read everything the store holds on a token and answer with `.detailLoaded` or `.detailFailed`.
    case loadDetail(TokenKey)
    /// Read each token's detail for the side-by-side view, on its store's feed; answer each with `.compareLoaded`
    /// or `.compareFailed`.
    case loadCompare([TokenKey])
    /// Put text on the clipboard (the terminal sends OSC 52).
    case copy(String)
    /// Load a theme by name or path and use it; answer failures with `.error`.
    case setTheme(String)
    /// Purge a token if the store still holds what the operator saw; answer with `.purgeFinished`.
    case purge(PurgeOrder)
    /// Purge each token on its own compare-and-set, without blocking the screen; answer with `.purgeManyFinished`.
    case purgeMany([PurgeOrder])
    /// Plan a token's replay (read its stored request, build what would be sent) and answer with `.replayPrepared`
    /// or, when it cannot be sent, `.replayFinished(failed: true)`. Sends nothing.
    case prepareReplay(TokenKey)
    /// Send a token's stored request to the replay target without blocking: answer with `.replayStarted` at once
    /// and `.replayFinished` when the answer comes (or with `.replayFinished` alone when it cannot be sent).
    case replay(TokenKey)
    /// Search the stores' request and response bodies for each needle in turn, stopping any search before;
    /// answer with `.bodySearchProgress` now and then and `.bodySearchFinished` (or `.bodySearchFailed`) per needle.
    case searchBodies([String])
    /// Stop the body search under way, if any (the filter no longer needs it).
    case cancelBodySearch
    /// Read the store again from its start on the feed's thread, leaving out events after `asOf` (nil: all of
    /// them, live), and answer with `.refolded`; new events follow from where that read ends.
    case refold(asOf: Instant?)
    /// Write the ledger's records at these indexes (the rows the table shows, or the marks) to a `.csv` or `.json`
    /// file on a worker, with `list`'s columns; answer with `.notice` or `.error`.
    case export(path: String, records: [Int32])
    /// Restore the terminal and stop.
    case quit
    /// Ctrl-Z: restore the terminal, stop the process until it is continued, then redraw (answer with `.resize`).
    case suspend
}

/// The load progress as the header shows it; the run loop measures the rate.
public struct LoadStatus: Sendable, Hashable {
    public var done: Int64
    public var total: Int64
    public var unit: String
    /// Units per second, measured by the run loop.
    public var rate: Double
    /// True once the first read through the store has finished.
    public var finished: Bool

    public init(done: Int64, total: Int64, unit: String, rate: Double, finished: Bool) {
        self.done = done
        self.total = total
        self.unit = unit
        self.rate = rate
        self.finished = finished
    }

    public var fraction: Double { total > 0 ? min(1, Double(done) / Double(total)) : (finished ? 1 : 0) }

    /// Several stores' loads as one: summed when they count in the same unit, else in thousandths of each; finished
    /// once every store has finished (one not heard from yet is at 0).
    public static func combined(_ loads: [LoadStatus?]) -> LoadStatus {
        if loads.count == 1, let only = loads[0] { return only }
        let known = loads.compactMap { $0 }
        let finished = known.count == loads.count && known.allSatisfy(\.finished)
        if let unit = known.first?.unit, known.count == loads.count, known.allSatisfy({ $0.unit == unit }) {
            return LoadStatus(done: known.reduce(0) { $0 + $1.done }, total: known.reduce(0) { $0 + $1.total },
                              unit: unit, rate: known.reduce(0) { $0 + $1.rate }, finished: finished)
        }
        let parts = loads.map { l in l.map { Int64($0.fraction * 1000) } ?? 0 }
        return LoadStatus(done: parts.reduce(0, +), total: Int64(loads.count) * 1000, unit: "‰", rate: 0,
                          finished: finished)
    }
    /// Seconds left at the current rate, when it can be told.
    public var secondsLeft: Double? { rate > 0 && total > done ? Double(total - done) / rate : nil }
}
