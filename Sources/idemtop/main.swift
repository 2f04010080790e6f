import ArgumentParser
import Foundation
import IdemCore
import IdemStore

/// A minimal root command on the `ui` branch so the dashboard can be run; the lead's CLI replaces it.

struct Idemtop: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "idemtop", abstract: "A terminal dashboard for idempotency-token stores.",
        subcommands: [UI.self, Demo.self], defaultSubcommand: UI.self)
}

/// Options shared by the dashboard commands.
struct LookOptions: ParsableArguments {
    @Option(help: "Theme: dark, light, high-contrast, colour-blind, monochrome, a user theme, or a .theme file.")
    var theme: String?
    @Flag(help: "No colours (also NO_COLOR).") var noColor = false
    @Flag(help: "Mouse: click rows and headers, wheel scrolls.") var mouse = false
    @Option(help: "Extra secret field names to mask, comma-separated.") var secret: [String] = []

    var dashboard: DashboardOptions {
        DashboardOptions(theme: theme, noColor: noColor, mouse: mouse, secretFields: secret)
    }
}

struct UI: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ui", abstract: "Open the dashboard on a store.")
    @Argument(help: "The store: a .jsonl journal or a .db SQLite file (or journal:PATH, sqlite:PATH).")
    var store: String
    @OptionGroup var look: LookOptions

    func run() throws {
        let location = try StoreLocation(parsing: store)
        let reader: any EventReader
        switch location.kind {
        case .journal: reader = try JournalReader(path: location.path)
        case .sqlite: reader = try SQLiteReader(path: location.path)
        }
        throw ExitCode(try dashboardMain { try runDashboard(reader: reader, options: look.dashboard) })
    }
}

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Run a simulated payments API into a scratch journal and watch it.")
    @Option(help: "Requests per second.") var rate: Double = 20
    @Option(help: "Events written before the dashboard opens (virtual time).") var preload: Int = 3000
    @Option(help: "The journal to write (default: a temporary file).") var path: String?
    @OptionGroup var look: LookOptions

    func run() throws {
        throw ExitCode(try dashboardMain {
            try runDemoDashboard(path: path, preloadEvents: preload, rate: rate, options: look.dashboard)
        })
    }
}

/// Runs a dashboard, printing a start-up failure as one line on stderr with status 1.
func dashboardMain(_ body: () throws -> Int32) throws -> Int32 {
    do {
        return try body()
    } catch let e as DashboardError {
        FileHandle.standardError.write(Data((e.description + "\n").utf8))
        return 1
    }
}
Idemtop.main()
