import Foundation
import IdemCore

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
    /// Show the store as it stood at this instant (`ui --at`): later events left out, the clock standing there.
    public var asOf: Instant?
    /// How long quitting waits for actions still running (a replay in flight records its admin event when its
    /// answer comes), in seconds.
    public var quitWait: Double = 3

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
