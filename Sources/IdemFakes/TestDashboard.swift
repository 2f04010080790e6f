import IdemCore
import IdemStore
import IdemUI

/// A test terminal for the dashboard: the pure update and views driven over a real `EventReader` without ncurses.
///
/// It does what the run loop does (poll the reader, tick the clock, rebuild the index, perform effects) on demand,
/// so a test can type keys and read the screen back as text and roles:
/// ```
/// let ui = TestDashboard(reader: store, clock: clock)
/// ui.pump()
/// ui.press(.enter)
/// #expect(ui.screen.contains("── Request"))
/// ```
public final class TestDashboard {
    public private(set) var state: AppState
    public private(set) var grid: Grid
    public var theme: Theme
    /// Text put on the clipboard, newest last.
    public private(set) var copied: [String] = []
    /// Themes asked for with `:theme`.
    public private(set) var themesRequested: [String] = []
    /// Purges the update asked for (the test decides what the store answers).
    public private(set) var purgesRequested: [PurgeOrder] = []
    /// Replays the update asked for.
    public private(set) var replaysRequested: [TokenKey] = []
    public private(set) var quit = false
    private let reader: any EventReader
    private let clock: any Clock

    public init(reader: any EventReader, clock: any Clock, width: Int = 80, height: Int = 24,
                theme: Theme = BuiltinThemes.standard) {
        self.reader = reader
        self.clock = clock
        self.theme = theme
        state = AppState(storeName: reader.location.displayName, storeKind: reader.location.kind.rawValue,
                         now: clock.now(), themeName: theme.name)
        grid = Grid(width: width, height: height)
        _ = state.update(.resize(width: width, height: height))
    }

    /// Reads everything new from the reader, ticks the clock, rebuilds the index and redraws.
    public func pump() {
        var batch: [StoreEvent] = []
        var malformed: [MalformedEntry] = []
        while (try? reader.poll(limit: 50_000, { batch.append($0) }, malformed: { malformed.append($0) })) ?? 0 > 0 {}
        if !batch.isEmpty || !malformed.isEmpty { send(.events(batch, malformed: malformed)) }
        let notices = reader.drainNotices()
        if !notices.isEmpty { send(.notices(notices)) }
        send(.tick(clock.now()))
        redraw()
    }

    /// Sends a key, performs its effects, and redraws.
    public func press(_ keys: Key...) {
        for k in keys { send(.key(k)) }
        redraw()
    }

    /// Types text, one key per character.
    public func type(_ text: String) {
        for ch in text { send(.key(.char(ch))) }
        redraw()
    }

    public func resize(width: Int, height: Int) {
        send(.resize(width: width, height: height))
        redraw()
    }

    /// The screen as text, one line per row.
    public var screen: String { grid.text }

    private func redraw() {
        if state.indexStale { send(.reindex) }
        render(state, theme: theme, into: &grid)
    }

    private func send(_ message: Message) {
        for effect in state.update(message) { perform(effect) }
    }

    private func perform(_ effect: Effect) {
        switch effect {
        case .quit: quit = true
        case .copy(let text): copied.append(text)
        case .setTheme(let name): themesRequested.append(name)
        case .purge(let order): purgesRequested.append(order)
        case .purgeMany(let orders): purgesRequested += orders
        case .replay(let key): replaysRequested.append(key)
        case .prepareReplay(let key):
            // The plan as the run loop makes it, to a fixed test target: secret headers are held back.
            let request = (try? reader.detail(for: key))?.request
            send(request.map { r in
                .replayPrepared(ReplayPreview(key: key, method: r.method.uppercased(), url: "http://replay.test" + r.path,
                                              idempotencyHeader: "Idempotency-Key",
                                              notSent: r.headers.keys.filter { SecretMask().isSecret($0) }.sorted()))
            } ?? .replayFinished(key, lines: ["no stored request"], failed: true))
        case .loadDetail(let key):
            do {
                let d = try reader.detail(for: key)
                send(.detailLoaded(DetailContent(key: d.key, request: d.request, response: d.response, error: d.error,
                                                  timeline: d.timeline)))
            } catch {
                send(.detailFailed(key, "\(error)"))
            }
        }
    }
}
