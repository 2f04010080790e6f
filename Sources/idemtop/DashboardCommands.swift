import ArgumentParser
import Foundation
import IdemApp
import IdemCore
import IdemStore
import IdemTerminal

/// Options shared by the dashboard commands.
struct LookOptions: ParsableArguments {
    @Option(help: "Theme: dark, light, high-contrast, colour-blind, monochrome, a user theme, or a .theme file.")
    var theme: String?
    @Flag(name: .customLong("no-color"), help: "No colours, only bold, underline and reverse (also NO_COLOR).")
    var noColor = false
    @Flag(help: "Mouse: click rows and headers, the wheel scrolls.") var mouse = false
    @Option(help: ArgumentHelp("Extra secret header or field names to mask, comma-separated.", valueName: "NAMES"))
    var secret: [String] = []

    /// The dashboard's options: these flags, then the user's config file for what they leave unset.
    func dashboard(policy: Policy, config: UserConfig) -> DashboardOptions {
        var options = DashboardOptions(
            theme: theme ?? config.theme, noColor: noColor, mouse: mouse, policy: policy,
            secretFields: config.secretFields + secret.flatMap { $0.split(separator: ",").map(String.init) })
        if let ms = config.refreshMs { options.refresh = TimeSpan(ms: Int64(ms)) }
        options.readOnlySource = config.readOnlySource(flag: false)
        options.replayTarget = config.target
        return options
    }
}

/// `idemtop STORE` / `idemtop ui STORE`: the live dashboard.
struct UICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ui",
        abstract: "Open the live dashboard on a store (the default command).",
        discussion: """
            Keys: j/k move, Enter opens a token, / filters (status:stuck tenant:acme hits>3), s/S sort, Tab switches \
            to the tail, p pauses it, : runs a command (:theme light), ? shows every key, q quits. d purges the \
            selected token (a dialog asks first), D every token the filter shows (type their number), r replays \
            the selected one to --target; --read-only refuses all three.

            Examples:
              idemtop payments.db
              idemtop ui payments.jsonl --theme colour-blind
              idemtop ui payments.db --target http://127.0.0.1:8080
              NO_COLOR=1 idemtop payments.db
            """)

    @OptionGroup var store: StoresArgument
    @OptionGroup var look: LookOptions
    @Option(help: ArgumentHelp("The retention window to assume for events that do not carry expires_at.", valueName: "DURATION"))
    var retention: String = "24h"
    @Option(name: .customLong("lock-timeout"), help: ArgumentHelp("The lock timeout to assume for events that do not carry locked_until.", valueName: "DURATION"))
    var lockTimeout: String = "60s"
    @Flag(name: .customLong("read-only"), help: "Refuse every action (purge, replay): the store is never written.")
    var readOnly = false
    @Option(help: ArgumentHelp("Where r / :replay sends a token's stored request.", valueName: "BASE_URL"))
    var target: String?
    @Option(help: ArgumentHelp("Open the store as it stood at this instant (RFC 3339, 07:14 UTC, or -2h): later events are left out, statuses derive from it; :at now goes live.",
                               valueName: "TIME"))
    var at: String?

    func run() throws {
        let asOf = try at.map { text -> Instant in
            guard let spec = TimeSpec(parsing: text) else {
                throw ValidationError("--at wants a time such as 2026-11-29T05:00:00Z, 07:14 (UTC) or -2h, not '\(text)'")
            }
            return spec.resolve(reference: ClockOptions.launchNow, anchor: nil)
        }
        let policy = try parsePolicy(retention: retention, lockTimeout: lockTimeout)
        let config = try UserConfig.load()
        // Local files open now (their errors are one line before the screen); network stores on their own thread.
        let sources = try store.locations().map { try StoreSource.of($0, registry: registry) }
        var options = look.dashboard(policy: policy, config: config)
        options.readOnlySource = config.readOnlySource(flag: readOnly)
        options.replayTarget = target ?? config.target
        options.asOf = asOf
        let code = try dashboardMain { try runDashboard(sources: sources, options: options) }
        if code != 0 { throw ExitCode(code) }
    }
}

/// `idemtop demo`: a live demo store and the dashboard on it.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Open the dashboard on a demo store that a simulated payments API writes to live.",
        discussion: """
            History comes first (the simulator, on a virtual clock that ends now); then the example payments \
            service runs on loopback, writing the store through the writer API, while a traffic driver sends it \
            requests over HTTP: retries, duplicate bursts, reused tokens, crashes that leave tokens stuck, fresh \
            tokens for the same payload. Purge (d) and replay (r) in the dashboard act on it as in production; \
            replay is aimed at the service.

            The store is SQLite in a new temporary folder unless --store names one; it is kept, and its path printed \
            on exit, so the headless commands can be tried on it. Tokens expire after --retention (10 minutes by \
            default here, so expiries happen while you watch).

            Examples:
              idemtop demo
              idemtop demo --store /tmp/demo.jsonl --rate 50 --theme light
            """)

    @Option(help: "The store to write (default: demo.db in a new temporary folder).") var store: String?
    @Option(help: "Client scenarios per second sent to the example service (0: none).") var rate: Double = 3
    @Option(help: "Events of history written before the dashboard opens.") var preload: Int = 4000
    @Option(help: "The random seed.") var seed: UInt64 = 1
    @Option(help: "The example service's port on 127.0.0.1 (0: any free port).") var port: UInt16 = 0
    @Option(help: ArgumentHelp("How long demo tokens are kept.", valueName: "DURATION")) var retention: String = "10m"
    @Option(name: .customLong("lock-timeout"), help: ArgumentHelp("How long a demo token may stay in progress.", valueName: "DURATION"))
    var lockTimeout: String = "20s"
    @OptionGroup var look: LookOptions

    func validate() throws {
        if rate < 0 { throw ValidationError("--rate must be 0 or more") }
        if preload < 0 { throw ValidationError("--preload must be 0 or more") }
    }

    func run() throws {
        let policy = try parsePolicy(retention: retention, lockTimeout: lockTimeout)
        let config = try UserConfig.load()
        try requireTerminal()
        let location: StoreLocation
        if let store {
            location = try StoreArgument.parse([store]).location()
        } else {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("idemtop-demo-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            location = SQLiteDriver.location(dir.appendingPathComponent("demo.db").path)
        }
        var service: URL?
        let code = try dashboardMain {
            let (status, url) = try runDemoDashboard(
                DemoPlan(store: location, preloadEvents: preload, rate: rate, seed: seed, port: port),
                options: look.dashboard(policy: policy, config: config), registry: registry,
                dashboard: { try runDashboard(sources: [.opened($0)], options: $1) })
            service = url
            return status
        }
        print("demo store: \(location.path)  (try: idemtop stats \(location.path))")
        if let service { print("the example service ran at \(service.absoluteString) (stopped)") }
        if code != 0 { throw ExitCode(code) }
    }
}

/// Refuses, before anything is written, when there is no terminal to draw on.
func requireTerminal() throws {
    let term = ProcessInfo.processInfo.environment["TERM"]
    if let problem = TerminalCheck.problem(stdinIsTTY: isatty(0) == 1, stdoutIsTTY: isatty(1) == 1, term: term) {
        throw CLIFailure(message: withoutPrefix(problem))
    }
}

/// Messages from the dashboard layer start with "idemtop: "; the CLI adds its own.
func withoutPrefix(_ message: String) -> String {
    message.hasPrefix("idemtop: ") ? String(message.dropFirst(9)) : message
}

/// Runs a dashboard, printing a start-up failure as one line on stderr with status 1.
func dashboardMain(_ body: () throws -> Int32) throws -> Int32 {
    do {
        return try body()
    } catch let e as DashboardError {
        throw CLIFailure(message: withoutPrefix(e.description))
    }
}
