import Dispatch
import Foundation
import IdemActions
import IdemCore
import IdemStore
import IdemTerminal
import IdemUI

/// The run loop: reads keys, polls the store, ticks the clock, performs effects, and paints at most ~30 frames a
/// second, only when something changed. Everything happens on the calling thread, but for a replay's HTTP exchange
/// and a bulk purge: a worker thread does those and posts the answer to a `WorkerInbox` the loop drains each
/// iteration.
final class DashboardLoop {
    private var state: AppState
    private let reader: any EventReader
    private let terminal: Terminal
    private var theme: Theme
    private let options: DashboardOptions
    private let signals: SignalWatcher
    private var grid = Grid(width: 0, height: 0)
    /// Answers from worker threads (replays, bulk purges); drained each iteration.
    private let workers = WorkerInbox()
    /// Raised on quit: a bulk purge stops after its current batch.
    private let stopWorkers = StopFlag()
    private lazy var actions = TokenActions(location: reader.location, readOnly: options.readOnly,
                                            policy: options.policy, clock: options.clock)

    private var running = true
    private var exitStatus: Int32 = 0
    private var dirty = true
    private var lastFrame: UInt64 = 0
    private var lastPoll: UInt64 = 0
    private var lastData: UInt64 = 0
    private var lastReindex: UInt64 = 0
    private var reindexCost: UInt64 = 0
    private var loading = true
    private let loadStarted: UInt64
    private var lastSecond: Int64 = .min

    // Measurements for IDEMTOP_STATS=1.
    private var frames = 0
    private var frameNanos: UInt64 = 0
    private var worstFrame: UInt64 = 0
    private var reindexes = 0

    static let batch = 50_000
    static let frameGap: UInt64 = 33_000_000
    static let idlePoll: UInt64 = 250_000_000

    init(reader: any EventReader, terminal: Terminal, theme: Theme, options: DashboardOptions, signals: SignalWatcher) {
        self.reader = reader
        self.terminal = terminal
        self.theme = theme
        self.options = options
        self.signals = signals
        state = AppState(storeName: reader.location.displayName, storeKind: reader.location.kind.rawValue,
                         policy: options.policy, now: options.clock.now(),
                         secrets: SecretFields.standard.adding(options.secretFields.joined(separator: ",")),
                         mouseEnabled: options.mouse, themeName: theme.name)
        loadStarted = DispatchTime.now().uptimeNanoseconds
        let size = terminal.size
        _ = state.update(.resize(width: size.width, height: size.height))
    }

    static var clockNanos: UInt64 { DispatchTime.now().uptimeNanoseconds }

    func run() -> Int32 {
        while running {
            if signals.received != 0 {
                exitStatus = 128 + signals.received
                break
            }
            readInput()
            guard running else { break }
            for answer in workers.drain() { send(answer) }
            pollStore()
            tick()
            reindexIfDue()
            frameIfDue()
        }
        // A replay still in flight records its admin event when its answer comes: give it a moment to land. A bulk
        // purge stops after its current batch (each purge already written is whole, with its admin event).
        stopWorkers.raise()
        if workers.pending > 0 { _ = workers.waitForWorkers(seconds: 3) }
        return exitStatus
    }

    /// Waits for input no longer than the next thing due: a frame, a poll, a clock second.
    private func readInput() {
        let now = DashboardLoop.clockNanos
        var timeout: Int32
        if loading {
            timeout = 0
        } else if dirty || state.indexStale {
            timeout = Int32(max(1, (DashboardLoop.frameGap - min(DashboardLoop.frameGap, now &- lastFrame)) / 1_000_000))
        } else {
            let flowing = now &- lastData < 2_000_000_000
            timeout = flowing ? Int32(options.refresh.ms) : Int32(DashboardLoop.idlePoll / 1_000_000)
        }
        timeout = max(0, min(timeout, workers.pending > 0 ? 50 : 250))
        var first = true
        for _ in 0..<64 {
            let input = terminal.read(timeoutMs: first ? timeout : 0)
            first = false
            switch input {
            case .none: return
            case .closed:
                running = false
                return
            case .key(let k): send(.key(k))
            case .mouse(let m): send(.mouse(m))
            case .resize(let w, let h):
                send(.resize(width: w, height: h))
                grid = Grid(width: 0, height: 0)
            }
            if !running { return }
        }
    }

    private func pollStore() {
        let now = DashboardLoop.clockNanos
        let flowing = now &- lastData < 2_000_000_000
        let interval: UInt64 = loading ? 0 : flowing ? UInt64(options.refresh.ms) * 1_000_000 : DashboardLoop.idlePoll
        guard now &- lastPoll >= interval else { return }
        lastPoll = now
        var batch: [StoreEvent] = []
        var malformed: [MalformedEntry] = []
        batch.reserveCapacity(loading ? DashboardLoop.batch : 256)
        do {
            _ = try reader.poll(limit: DashboardLoop.batch, { batch.append($0) }, malformed: { malformed.append($0) })
        } catch {
            send(.error("reading \(reader.location.displayName): \(error)"))
        }
        if !batch.isEmpty || !malformed.isEmpty {
            lastData = now
            send(.events(batch, malformed: malformed))
        }
        let notices = reader.drainNotices()
        if !notices.isEmpty { send(.notices(notices)) }
        let snapshot = (reader as? SQLiteReader)?.isSnapshot == true
        if snapshot != state.snapshot { send(.snapshot(snapshot)) }
        let p = reader.progress
        let wasLoading = loading
        if batch.count < DashboardLoop.batch { loading = false }
        if wasLoading {
            let seconds = Double(now &- loadStarted) / 1e9
            let rate = seconds > 0.2 ? Double(p.done) / seconds : 0
            send(.progress(LoadStatus(done: p.done, total: p.total, unit: p.unit, rate: rate, finished: !loading)))
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
        let now = DashboardLoop.clockNanos
        guard now &- lastReindex >= max(reindexCost * 5, loading ? 250_000_000 : 0) else { return }
        send(.reindex)
        let done = DashboardLoop.clockNanos
        reindexCost = done &- now
        lastReindex = done
        reindexes += 1
    }

    private func frameIfDue() {
        guard dirty else { return }
        let now = DashboardLoop.clockNanos
        let gap = loading ? DashboardLoop.frameGap * 3 : DashboardLoop.frameGap
        guard now &- lastFrame >= gap else { return }
        render(state, theme: theme, into: &grid)
        terminal.paint(grid)
        let done = DashboardLoop.clockNanos
        frames += 1
        frameNanos += done &- now
        worstFrame = max(worstFrame, done &- now)
        lastFrame = done
        dirty = false
    }

    /// Applies a message and performs the effects it asks for, feeding results back as messages.
    private func send(_ message: Message) {
        let effects = state.update(message)
        dirty = true
        for effect in effects { perform(effect) }
    }

    private func perform(_ effect: Effect) {
        switch effect {
        case .quit:
            running = false
        case .copy(let text):
            terminal.copy(text)
        case .loadDetail(let key):
            do {
                let d = try reader.detail(for: key)
                send(.detailLoaded(DetailContent(key: d.key, request: d.request, response: d.response, error: d.error,
                                                  timeline: d.timeline)))
            } catch {
                send(.detailFailed(key, "\(error)"))
            }
        case .purge(let order):
            send(DashboardActions.purge(order, actions: actions))
        case .purgeMany(let orders):
            DashboardActions.startPurgeMany(orders, actions: actions, inbox: workers, stop: stopWorkers)
        case .replay(let key):
            send(DashboardActions.startReplay(key, reader: reader, target: options.replayTarget, actions: actions,
                                              inbox: workers, clock: options.clock))
        case .setTheme(let name):
            do {
                let t = try DashboardThemes.load(name, environment: options.environment)
                theme = t
                state.themeName = t.name
                terminal.setTheme(t)
                send(.notice("theme \(t.name)"))
            } catch {
                send(.error("theme: \(error)"))
            }
        }
    }

    /// Frame and index timings, for measuring.
    var statsLine: String? {
        guard frames > 0 else { return nil }
        let avg = Double(frameNanos) / Double(frames) / 1e6
        return String(format: "idemtop stats: %d frames, avg %.2f ms, worst %.2f ms (render+paint); %d reindexes, last %.1f ms; %d tokens",
                      frames, avg, Double(worstFrame) / 1e6, reindexes, Double(reindexCost) / 1e6, state.ledger.count)
    }
}
