import IdemCore

/// The whole dashboard state: the ledger folded from the store, what is shown, and how. A value; `update` changes it.
public struct AppState: Sendable {
    /// Which screen is up.
    public enum Mode: Sendable, Hashable { case main, detail, help, findings, histogram, compare }
    /// Which pane of the main screen takes navigation keys.
    public enum Focus: Sendable, Hashable { case table, tail }
    /// The line being typed at the bottom, if any.
    public enum Input: Sendable, Hashable {
        /// `/`: the filter, applied live; `previous` comes back on Esc.
        case filter(text: String, previous: Filter)
        /// `:`: a command.
        case command(text: String)
    }

    /// The detail view's state: loading, loaded, or failed, and where it is scrolled.
    public struct Detail: Sendable, Hashable {
        public var key: TokenKey
        public var content: DetailContent?
        public var failure: String?
        public var lines: [[Span]] = []
        public var scroll = 0
        /// The sibling tokens listed (same tenant, operation and payload close in time); keys `1`-`9` open them.
        public var siblings: [TokenKey] = []
    }

    /// A line for the notice bar.
    public struct Notice: Sendable, Hashable {
        public var text: String
        public var isError: Bool
        public var at: Instant
    }

    public var ledger: Ledger
    public var storeName: String
    public var storeKind: String
    public var now: Instant
    public var width = 80
    public var height = 24

    public var mode: Mode = .main
    public var focus: Focus = .table
    public var input: Input?
    public var filter = Filter.all
    /// The filter text typed but not parsed, with why.
    public var filterError: String?
    public var sortColumn: Column = .lastSeen
    public var sortDescending = true

    public var index = RowIndex()
    /// True when the index no longer reflects the ledger, filter, sort or clock.
    public var indexStale = true
    /// The selected row and the record it shows.
    public var cursor = 0
    public var selectedRecord: Int32?
    /// True once the user moved the selection: from then on it stays on the same token when rows move.
    public var pinned = false
    /// The newest last-seen time on screen when the user moved (sorted by last seen): what is newer is "new".
    public var pinnedSeen: Instant?
    /// Rows above the selection newer than `pinnedSeen`: the table says `▲ N new` until `g`/Home.
    public var newAbove = 0
    /// `:tail all`: the tail shows every event, not only those of tokens the filter shows.
    public var tailAll = false
    /// The lines typed at `/` and `:`, oldest first, and the entry ↑/↓ (Ctrl-P/N) are on while typing.
    public var filterHistory: [String] = []
    public var commandHistory: [String] = []
    public var historyPosition: Int?
    public var scrollTop = 0

    /// Tokens by shown status, kept current per event and per deadline passed.
    public var tally = StatusTally()
    public var statusCounts: [TokenStatus: Int] {
        Dictionary(uniqueKeysWithValues: TokenStatus.allCases.map { ($0, tally[$0]) })
    }
    /// Marked rows (Space), as ledger indexes: `D` and `:export` act on them when there are any.
    public var marks: Set<Int32> = []
    public var tail = Tail()
    public var rates = Rates()
    /// The detectors, fed every event, and the findings they saw at the last (capped) refresh.
    public var findings = FindingsState()
    public var detail: Detail?
    /// The instant the store is shown as of (`--at`, `:at`): later events left out, the clock standing there.
    public var asOf: Instant?
    /// AGE and LAST SEEN as clock times (UTC) rather than spans back from now (`t`, `:columns abs`).
    public var absoluteTimes = false
    /// The histogram view (`i`, `:histogram`).
    public var histogram = HistogramState()
    /// What `body:` terms found, and the search under way.
    public var bodySearch = BodySearchState()
    /// The side-by-side view of a double charge's tokens (Enter on one in the findings view).
    public var compare: CompareState?
    /// The screen the detail goes back to when it was opened from another than the table (the side-by-side view).
    public var detailReturnsTo: Mode?
    public var helpScroll = 0
    /// The screen the help goes back to when it was opened from the findings view.
    public var helpReturnsTo: Mode?
    public var notice: Notice?
    /// The store is read as a snapshot: new events do not show until it can be followed (see `Message.snapshot`).
    public var snapshot = false
    public var load: LoadStatus?
    public var secrets: SecretFields
    public var mouseEnabled: Bool
    public var themeName: String
    /// The purge confirmation, when it is up (keys go to it first).
    public var purgeDialog: PurgeDialog?
    /// The bulk purge confirmation (`D`, `:purge-all`), when it is up (keys go to it first).
    public var bulkPurge: BulkPurgeDialog?
    /// True from a confirmed bulk purge until the run loop answers it: one at a time.
    public var bulkPurgeRunning = false
    /// The replay confirmation, when it is up (keys go to it first).
    public var replayDialog: ReplayDialog?
    /// The token whose replay plan was asked for (`Effect.prepareReplay`) and not yet come.
    public var replayPreparing: TokenKey?
    /// Where read-only came from (`--read-only`, or the config file's path), when the dashboard is read-only: purge
    /// and replay are then refused at once. Set at start.
    public var readOnlySource: String?
    /// How a store's purge is worded where its driver says it is not the standard one, by store number and then
    /// by the status seen (a stuck rocket-rides key in Postgres: its lock released). Set at start.
    public var purgeWordings: [UInt8: [TokenStatus: PurgeWording]] = [:]
    /// The answer of a replay, when it is shown.
    public var replayPanel: ReplayPanel?
    /// Tokens whose replay was sent and not yet answered: one replay at a time per token.
    public var replaysInFlight: Set<TokenKey> = []

    public init(storeName: String, storeKind: String, policy: Policy = .standard, now: Instant,
                secrets: SecretFields = .standard, mouseEnabled: Bool = false, themeName: String = "dark",
                readOnlySource: String? = nil) {
        self.ledger = Ledger(policy: policy)
        self.storeName = storeName
        self.storeKind = storeKind
        self.now = now
        self.secrets = secrets
        self.mouseEnabled = mouseEnabled
        self.themeName = themeName
        self.readOnlySource = readOnlySource
    }

    /// The record the selection is on.
    public var selected: TokenRecord? {
        guard let i = selectedRecord, Int(i) < ledger.records.count else { return nil }
        return ledger.records[Int(i)]
    }

    public var selectedKey: TokenKey? {
        selected.map { ledger.key(of: $0) }
    }

    public var layout: Layout { Layout(width: width, height: height) }

    /// Whether the terminal is big enough to draw the dashboard.
    public var fits: Bool { width >= Layout.minWidth && height >= Layout.minHeight }
}

/// Where each part of the main screen goes, for a terminal size: shared by the update (page sizes, clicks) and views.
public struct Layout: Sendable, Hashable {
    public static let minWidth = 60
    public static let minHeight = 15

    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    public var headerRows: Range<Int> { 0..<4 }
    public var tableHeaderRow: Int { 4 }
    /// Rows of the tail pane, its title line included.
    public var tailHeight: Int { max(4, height / 4) }
    public var tableRows: Range<Int> { 5..<max(5, height - 2 - tailHeight) }
    public var tableHeight: Int { tableRows.count }
    public var tailTitleRow: Int { tableRows.upperBound }
    public var tailRows: Range<Int> { (tailTitleRow + 1)..<(height - 2) }
    public var noticeRow: Int { height - 2 }
    public var statusRow: Int { height - 1 }
    /// Rows a full-screen view (detail, help) scrolls in: between the title and the two bottom lines.
    public var bodyRows: Range<Int> { 1..<max(1, height - 2) }
}
