import Foundation
import IdemActions
import IdemCore
import IdemStore
import IdemUI

/// The dashboard's one run loop, the same in the binary and in the tests: it waits for input, drains one inbox
/// (store events from the feed's thread, answers of effects), ticks the clock, rebuilds the row index at a capped
/// rate, and paints at most ~30 frames a second, only when something changed.
///
/// The loop's thread never waits on I/O: the store is read on the feed's thread, and every effect that may block
/// (a purge, a replay, a theme file) runs on a worker and answers with a message. What the loop calls itself is
/// the pure update, the views, and the terminal.
public final class AppLoop {
    public private(set) var state: AppState
    let terminal: any TerminalBackend
    private var theme: Theme
    let options: DashboardOptions
    let inbox: Inbox
    /// One feed and one set of actions per store, by the store's number (its place among the readers).
    let feeds: [StoreFeed]
    let workers: Workers
    /// The `body:` searches, one at a time.
    let bodySearches: BodySearchRunner
    /// Where the stores are and how to open them again (`:at` reads a store again from its start).
    let locations: [StoreLocation]
    let registry: StoreRegistry
    let actions: [TokenActions]
    /// Each store's load, combined into the header's progress.
    private var loads: [LoadStatus?]
    /// How many feeds answered each sync.
    private var syncAnswers: [Int: Int] = [:]
    private let interrupted: () -> Int32
    private var grid = Grid(width: 0, height: 0)

    public internal(set) var isRunning = true
    public private(set) var exitStatus: Int32 = 0
    private var dirty = true
    private var lastFrame: UInt64 = 0
    private var lastReindex: UInt64 = 0
    private var reindexCost: UInt64 = 0
    private var lastSecond: Int64 = .min
    /// Detail loads asked of the feed and not answered; true when another was asked meanwhile (it goes out once
    /// the first is answered, so a burst of batches touching the open token costs two reads, not one per batch).
    var detailLoads: [TokenKey: Bool] = [:]
    private var nextSync = 0

    // Measurements for IDEMTOP_STATS=1 and the tests.
    public private(set) var frames = 0
    private var frameNanos: UInt64 = 0
    private var worstFrame: UInt64 = 0
    private var reindexes = 0

    static let frameGap: UInt64 = 33_000_000

    /// Sets up the loop over `reader`, whose location `registry` opens for actions; the reader moves to the feed's
    /// thread at once and is not touched here again. `interrupted` answers the signal that should end the loop, or 0.
    public convenience init(reader: any EventReader, terminal: any TerminalBackend, theme: Theme,
                            options: DashboardOptions, registry: StoreRegistry,
                            interrupted: @escaping () -> Int32 = { 0 }) {
        self.init(sources: [.opened(reader)], terminal: terminal, theme: theme, options: options, registry: registry,
                  interrupted: interrupted)
    }

    /// The loop over readers opened already (see `init(sources:)`).
    public convenience init(readers: [any EventReader], terminal: any TerminalBackend, theme: Theme,
                            options: DashboardOptions, registry: StoreRegistry,
                            interrupted: @escaping () -> Int32 = { 0 }) {
        self.init(sources: readers.map { .opened($0) }, terminal: terminal, theme: theme, options: options,
                  registry: registry, interrupted: interrupted)
    }

    /// The loop over several stores in one view (at most 255): their records merge into one ledger, each keeps its
    /// number (its place in `readers`), and every action goes to the record's own store.
    ///
    /// Each source is opened on its store's thread, so a store that is slow to open (a network one) shows as still
    /// loading while the keys answer.
    public init(sources: [StoreSource], terminal: any TerminalBackend, theme: Theme, options: DashboardOptions,
                registry: StoreRegistry, interrupted: @escaping () -> Int32 = { 0 }) {
        precondition(!sources.isEmpty && sources.count < 256, "one to 255 stores")
        self.terminal = terminal
        self.theme = theme
        self.options = options
        self.interrupted = interrupted
        let locations = sources.map(\.location)
        let single = locations.count == 1
        state = AppState(storeName: single ? locations[0].displayName : locations.map(\.displayName).joined(separator: ", "),
                         storeKind: single ? locations[0].kind : "\(locations.count) stores", policy: options.policy,
                         now: options.clock.now(),
                         secrets: SecretFields(mask: .standard(adding: options.secretFields)),
                         mouseEnabled: options.mouse, themeName: theme.name, readOnlySource: options.readOnlySource)
        if !single { state.ledger.storeNames = locations.map(\.displayName) }
        for (i, location) in locations.enumerated() {
            for status in TokenStatus.allCases {
                let w = registry.purgeWording(for: status, in: location)
                if w != .standard(for: status) { state.purgeWordings[UInt8(i), default: [:]][status] = w }
            }
        }
        if let t = options.asOf {
            state.asOf = t
            state.now = t
        }
        let inbox = Inbox(waker: terminal.waker)
        self.inbox = inbox
        workers = Workers(inbox: inbox)
        bodySearches = BodySearchRunner(locations: locations, inbox: inbox)
        self.locations = locations
        self.registry = registry
        actions = locations.map {
            TokenActions(location: $0, registry: registry, readOnly: options.readOnly, policy: options.policy,
                         clock: options.clock)
        }
        let cadence = StoreFeed.Cadence(refresh: UInt64(max(1, options.refresh.ms)) * 1_000_000)
        // One SQLite store, live: its first frame comes from its token table (`StoreFeed.readTokenTable`).
        let table = sources.count == 1 && options.asOf == nil ? options.policy : nil
        feeds = sources.enumerated().map { i, s in
            StoreFeed(source: s, store: UInt8(i), inbox: inbox, cadence: cadence, tokenTable: table)
        }
        loads = Array(repeating: nil, count: sources.count)
        let size = terminal.size
        _ = state.update(.resize(width: size.width, height: size.height))
        // Loading until the stores say how far they are: a store still opening is not "live".
        _ = state.update(.progress(LoadStatus(done: 0, total: 0, unit: "", rate: 0, finished: false)))
        for f in feeds { f.start() }
    }

    /// Runs until the user quits, input closes or a signal arrives; returns the exit status (0, or 128 + the signal).
    public func run() -> Int32 {
        while isRunning { step() }
        shutDown()
        return exitStatus
    }

    /// One turn of the loop: wait for input (no longer than the next thing due), apply what came, then tick,
    /// reindex and paint when due.
    public func step() {
        let signal = interrupted()
        if signal != 0 {
            exitStatus = 128 + signal
            isRunning = false
            return
        }
        readInput()
        guard isRunning else { return }
        for event in inbox.drain() {
            handle(event)
            guard isRunning else { return }
        }
        tick()
        reindexIfDue()
        frameIfDue()
    }

    /// Stops the workers (a bulk purge ends after its batch) and waits up to `options.quitWait` (3 s) for those
    /// still running, so a replay in flight records its admin event; then ends the feed.
    public func shutDown() {
        isRunning = false
        bodySearches.cancel()
        _ = workers.stop(waiting: options.quitWait)
        for f in feeds { f.stop() }
    }

    /// Asks the feeds to read everything the stores hold now; `isSettled` tells when it has all been applied.
    public func sync() {
        nextSync += 1
        for f in feeds { f.sync(nextSync) }
    }

    /// True when the last `sync` has been answered, nothing waits in the inbox, no detail load or worker is
    /// pending, the index is current and the screen painted: what a test waits for before reading the screen.
    public var isSettled: Bool {
        (nextSync == 0 || syncAnswers[nextSync] == feeds.count) && inbox.isEmpty && detailLoads.isEmpty
            && workers.pending == 0 && !dirty
            && !state.indexStale
    }

    private var loading: Bool { !(state.load?.finished ?? false) }

    /// Waits for input no longer than the next thing due: a frame, a reindex, a clock second.
    private func readInput() {
        let now = Monotonic.nanos
        var due: UInt64 = UInt64(1000 - ((options.clock.now().ms % 1000) + 1000) % 1000) * 1_000_000
        if dirty { due = min(due, frameDue(now)) }
        if state.indexStale { due = min(due, reindexDue(now)) }
        let timeout = inbox.isEmpty ? Int32(min(1000, (due + 999_999) / 1_000_000)) : 0
        var first = true
        for _ in 0..<64 {
            let input = terminal.read(timeoutMs: first ? timeout : 0)
            first = false
            switch input {
            case .none: return
            case .closed:
                isRunning = false
                return
            case .key(let k): send(.key(k))
            case .mouse(let m): send(.mouse(m))
            case .resize(let w, let h):
                send(.resize(width: w, height: h))
                grid = Grid(width: 0, height: 0)
            }
            if !isRunning { return }
        }
    }

    private func frameDue(_ now: UInt64) -> UInt64 {
        let gap = loading ? AppLoop.frameGap * 3 : AppLoop.frameGap
        return gap &- min(gap, now &- lastFrame)
    }

    private func reindexDue(_ now: UInt64) -> UInt64 {
        let wait = max(reindexCost * 5, loading ? 250_000_000 : 0)
        return wait &- min(wait, now &- lastReindex)
    }

    private func handle(_ event: AppEvent) {
        switch event {
        case .message(let m):
            send(m)
        case .theme(let t):
            theme = t
            state.themeName = t.name
            terminal.setTheme(t)
            send(.notice("theme \(t.name)"))
        case .synced(let id):
            syncAnswers[id, default: 0] += 1
        case .progress(let store, let status):
            loads[Int(store)] = status
            send(.progress(LoadStatus.combined(loads)))
        case .detailDone(let key):
            if detailLoads[key] == true {
                detailLoads[key] = nil
                loadDetail(key)
            } else {
                detailLoads[key] = nil
            }
        }
    }

    /// Sends the clock once a second: countdowns and statuses move with it.
    private func tick() {
        let now = options.clock.now()
        let second = now.ms / 1000
        guard second != lastSecond else { return }
        lastSecond = second
        send(.tick(now))
    }

    /// Rebuilds the row index when stale, no more often than five times its own cost (a 1M-row sort is not free).
    private func reindexIfDue() {
        guard state.indexStale else { return }
        let now = Monotonic.nanos
        guard reindexDue(now) == 0 else { return }
        send(.reindex)
        let done = Monotonic.nanos
        reindexCost = done &- now
        lastReindex = done
        reindexes += 1
    }

    private func frameIfDue() {
        guard dirty else { return }
        let now = Monotonic.nanos
        guard frameDue(now) == 0 else { return }
        render(state, theme: theme, into: &grid)
        terminal.paint(grid)
        let done = Monotonic.nanos
        frames += 1
        frameNanos += done &- now
        worstFrame = max(worstFrame, done &- now)
        lastFrame = done
        dirty = false
    }

    /// Applies a message and performs the effects it asks for.
    func send(_ message: Message) {
        let effects = state.update(message)
        dirty = true
        for effect in effects { perform(effect) }
    }

    /// Frame and index timings, for measuring.
    public var statsLine: String? {
        guard frames > 0 else { return nil }
        let avg = Double(frameNanos) / Double(frames) / 1e6
        return String(format: "idemtop stats: %d frames, avg %.2f ms, worst %.2f ms (render+paint); %d reindexes, last %.1f ms; %d tokens",
                      frames, avg, Double(worstFrame) / 1e6, reindexes, Double(reindexCost) / 1e6, state.ledger.count)
    }
}
