import Foundation
import IdemApp
import IdemCore
import IdemStore
import IdemTerminal
import IdemUI

/// Why the dashboard did not start; `description` is one line for stderr (then exit 1).
enum DashboardError: Error, CustomStringConvertible {
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

/// Runs the dashboard over `sources` (one store, or several in one view) until the user quits, input closes, or SIGINT/SIGTERM/SIGHUP arrives; the
/// terminal is restored on every way out. Returns the exit status (0, or 128 + the signal).
///
/// Throws `DashboardError` before touching the terminal when it cannot start; print its description on stderr and
/// exit 1. Must be called from one thread, which then owns ncurses until it returns.
func runDashboard(sources: [StoreSource], options: DashboardOptions) throws -> Int32 {
    let theme: Theme
    do {
        theme = try DashboardThemes.resolve(options.theme, noColor: options.noColor, environment: options.environment)
    } catch let e as ThemeError {
        throw DashboardError.theme("idemtop: theme: \(e)")
    }
    let terminal = Terminal(theme: theme)
    let signals = SignalWatcher(onSignal: { [waker = terminal.waker] in waker.wake() })
    defer { signals.stop() }
    do {
        try terminal.open(mouse: options.mouse)
    } catch {
        throw DashboardError.noTerminal(error.message)
    }
    defer { terminal.close() }
    let loop = AppLoop(sources: sources, terminal: terminal, theme: theme, options: options, registry: registry,
                       interrupted: { signals.received })
    let status = loop.run()
    terminal.close()
    if let stats = loop.statsLine, options.environment["IDEMTOP_STATS"] == "1" {
        FileHandle.standardError.write(Data((stats + "\n").utf8))
    }
    return status
}
