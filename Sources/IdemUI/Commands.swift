import IdemCore

/// One `:` command: its name, what it takes, and what it does to the state.
///
/// Later commands (`:purge`, `:replay`, `:findings`) are new entries here returning new `Effect`s.
public struct Command: Sendable {
    public var name: String
    public var aliases: [String]
    public var usage: String
    public var summary: String
    /// Runs with the words after the name; returns effects, or throws a `CommandError` (one line).
    public var run: @Sendable (inout AppState, [String]) throws -> [Effect]

    public init(name: String, aliases: [String] = [], usage: String, summary: String,
                run: @escaping @Sendable (inout AppState, [String]) throws -> [Effect]) {
        self.name = name
        self.aliases = aliases
        self.usage = usage
        self.summary = summary
        self.run = run
    }
}

/// Why a command did not run, in one line.
public struct CommandError: Error, Sendable, Hashable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

/// The command table.
public enum Commands {
    public static let all: [Command] = [
        Command(name: "quit", aliases: ["q", "q!", "quit!", "exit"], usage: ":q", summary: "quit idemtop") { _, _ in
            [.quit]
        },
        Command(name: "theme", usage: ":theme NAME|PATH",
                summary: "use a theme (dark, light, high-contrast, colour-blind, monochrome, or a file)") { state, args in
            // A path may hold spaces: the theme is everything after the command name.
            guard !args.isEmpty else { throw CommandError("usage: :theme NAME|PATH (now: \(state.themeName))") }
            return [.setTheme(args.joined(separator: " "))]
        },
        Command(name: "sort", usage: ":sort COLUMN [asc|desc]",
                summary: "sort by a column: " + Column.allCases.map(\.sortName).joined(separator: ", ")) { state, args in
            guard let name = args.first, let column = Column(name: name) else {
                throw CommandError("usage: :sort COLUMN [asc|desc]; columns: "
                    + Column.allCases.map(\.sortName).joined(separator: ", ") + " (age is created)")
            }
            let order = args.dropFirst().first?.lowercased()
            guard order == nil || order == "asc" || order == "desc" else {
                throw CommandError("usage: :sort COLUMN [asc|desc]")
            }
            state.sort(by: column, descending: order.map { $0 == "desc" } ?? column.defaultDescending)
            return []
        },
        Command(name: "filter", aliases: ["f"], usage: ":filter TERMS",
                summary: "filter the table (no terms, or none: clear)") { state, args in
            // `:filter none` clears, as the README says; it never filters for the text "none".
            let clears = args.count == 1 && args[0].lowercased() == "none"
            guard state.setFilter(clears ? "" : args.joined(separator: " ")) else {
                throw CommandError(state.filterError ?? "bad filter")
            }
            return state.bodySearchEffects()
        },
        Command(name: "purge", usage: ":purge", summary: "purge the selected token (asks first; Cancel has the focus)") {
            state, _ in
            state.openPurgeDialog()
        },
        Command(name: "purge-all", aliases: ["bulk-purge"], usage: ":purge-all",
                summary: "purge every token the filter shows (type their number to confirm; also D)") { state, _ in
            state.openBulkPurge()
        },
        Command(name: "replay", usage: ":replay", summary: "send the selected token's stored request to --target") {
            state, _ in
            state.replaySelected()
        },
        Command(name: "tail", usage: ":tail all|filter",
                summary: "the tail shows every event (all) or those of the tokens the filter shows (filter)") { state, args in
            guard let what = args.first?.lowercased(), what == "all" || what == "filter" else {
                throw CommandError("usage: :tail all|filter (now: \(state.tailAll ? "all" : "filter"))")
            }
            state.tailAll = what == "all"
            state.tail.cursor = 0
            return []
        },
        Command(name: "export", usage: ":export FILE.csv|FILE.json",
                summary: "write the marked rows (or the rows the filter shows) with list's columns") { state, args in
            try state.export(args)
        },
        Command(name: "findings", aliases: ["fi"], usage: ":findings",
                summary: "list what the detectors found, most severe first (also F)") { state, _ in
            state.openFindings()
            return []
        },
        Command(name: "help", aliases: ["h"], usage: ":help", summary: "list every key") { state, _ in
            state.mode = .help
            return []
        },
        Command(name: "histogram", aliases: ["hist"], usage: ":histogram",
                summary: "requests per minute by outcome over the store or the filter (also i)") { state, _ in
            state.openHistogram()
            return []
        },
        Command(name: "at", usage: ":at TIME|now", summary: "the store as it stood at TIME (07:14, -2h, RFC 3339), or live") {
            state, args in
            try state.runAt(args)
        },
        Command(name: "goto", usage: ":goto TIME", summary: "move the table (by time) and the tail to TIME") { state, args in
            try state.runGoto(args)
        },
        Command(name: "columns", usage: ":columns abs|rel", summary: "AGE and LAST SEEN as clock times or time ago (also t)") {
            state, args in
            try state.runColumns(args)
        },
    ]

    /// The command a name or alias names.
    public static func find(_ name: String) -> Command? {
        all.first { $0.name == name || $0.aliases.contains(name) }
    }

    /// Completes a command name when one command starts with what was typed.
    static func complete(_ text: String) -> String {
        guard !text.contains(" ") else { return text }
        let hits = all.filter { $0.name.hasPrefix(text) }
        return hits.count == 1 ? hits[0].name + " " : text
    }
}

extension AppState {
    /// Runs a `:` command line; an unknown command or a usage error shows in the notice line.
    mutating func runCommand(_ line: String) -> [Effect] {
        let words = line.split(separator: " ").map(String.init)
        guard let name = words.first else { return [] }
        guard let command = Commands.find(name) else {
            notice = Notice(text: "unknown command ':\(Sanitizer.visible(name))' (try :help)", isError: true, at: now)
            return []
        }
        do {
            return try command.run(&self, Array(words.dropFirst()))
        } catch let e as CommandError {
            notice = Notice(text: e.message, isError: true, at: now)
            return []
        } catch {
            notice = Notice(text: "\(error)", isError: true, at: now)
            return []
        }
    }
}
