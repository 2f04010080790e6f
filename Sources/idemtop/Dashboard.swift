import Foundation
import IdemCore
import IdemStore
import IdemTerminal
import IdemUI

/// How the dashboard runs: look, input, timing, and the rules it derives statuses with.
public struct DashboardOptions: Sendable {
    /// A built-in theme name, a user theme name (from `$XDG_CONFIG_HOME/idemtop/themes`), or a `.theme` file path;
    /// nil for the default (dark).
    public var theme: String?
    /// `--no-color`: the monochrome theme (also chosen when `NO_COLOR` is set and non-empty, unless `theme` is given).
    public var noColor: Bool
    /// `--mouse`: clicks select rows and sort by headers, the wheel scrolls.
    public var mouse: Bool
    /// How often the store is polled while data flows (it backs off to 250 ms when idle).
    public var refresh: TimeSpan
    /// Where "now" comes from (countdowns, statuses); the system clock unless testing.
    public var clock: any Clock
    /// The store's retention and lock timeout, used where events leave them out.
    public var policy: Policy
    /// Header names and JSON keys masked in the detail view, added to the standard list.
    public var secretFields: [String]
    /// The environment to read `NO_COLOR`, `XDG_CONFIG_HOME` and `HOME` from.
    public var environment: [String: String]
    /// Where read-only came from (`--read-only`, or the config file's path), when it is: purge and replay are then
    /// refused (the store is never written).
    public var readOnlySource: String?
    public var readOnly: Bool { readOnlySource != nil }
    /// `--target`: the base URL `r`/`:replay` sends stored requests to.
    public var replayTarget: String?

    public init(theme: String? = nil, noColor: Bool = false, mouse: Bool = false, refresh: TimeSpan = TimeSpan(ms: 50),
                clock: any Clock = SystemClock(), policy: Policy = .standard, secretFields: [String] = [],
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.theme = theme
        self.noColor = noColor
        self.mouse = mouse
        self.refresh = refresh
        self.clock = clock
        self.policy = policy
        self.secretFields = secretFields
        self.environment = environment
    }
}

/// Why the dashboard did not start; `description` is one line for stderr (then exit 1).
public enum DashboardError: Error, CustomStringConvertible {
    /// No terminal to draw on (not a tty, TERM unset, dumb or unknown): names the headless commands.
    case noTerminal(String)
    /// A theme that does not exist or does not parse: names the file, line and key.
    case theme(String)

    public var description: String {
        switch self {
        case .noTerminal(let s), .theme(let s): return s
        }
    }
}

/// Runs the dashboard over `reader` until the user quits, input closes, or SIGINT/SIGTERM/SIGHUP arrives; the
/// terminal is restored on every way out. Returns the exit status (0, or 128 + the signal).
///
/// Throws `DashboardError` before touching the terminal when it cannot start; print its description on stderr and
/// exit 1. Must be called from one thread, which then owns ncurses until it returns.
public func runDashboard(reader: any EventReader, options: DashboardOptions) throws -> Int32 {
    let theme: Theme
    do {
        theme = try DashboardThemes.resolve(options.theme, noColor: options.noColor, environment: options.environment)
    } catch let e as ThemeError {
        throw DashboardError.theme("idemtop: theme: \(e)")
    }
    let terminal = Terminal(theme: theme)
    let signals = SignalWatcher()
    defer { signals.stop() }
    do {
        try terminal.open(mouse: options.mouse)
    } catch {
        throw DashboardError.noTerminal(error.message)
    }
    defer { terminal.close() }
    let loop = DashboardLoop(reader: reader, terminal: terminal, theme: theme, options: options, signals: signals)
    let status = loop.run()
    terminal.close()
    if let stats = loop.statsLine, options.environment["IDEMTOP_STATS"] == "1" {
        FileHandle.standardError.write(Data((stats + "\n").utf8))
    }
    return status
}
