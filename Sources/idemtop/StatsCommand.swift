import IdemApp
import ArgumentParser
import IdemCore
import IdemStore

/// `idemtop stats STORE`: totals by status and outcome.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Summarise a store: tokens by status, requests by outcome, malformed lines.",
        discussion: """
            Examples:
              idemtop stats payments.jsonl
              idemtop stats payments.db --format json --at 2026-11-29T05:00:00Z
            """)

    @OptionGroup var store: StoresArgument
    @Option(help: "Output format.") var format: TableOrJSON = .table
    @OptionGroup var clock: ClockOptions
    @Flag(help: "Neither read nor write the journal's fold checkpoint in the cache folder.") var noCache = false

    func run() throws {
        let now = try clock.instant()
        // A SQLite store counts by itself (SQLiteSummary); otherwise, or when it cannot, the events are folded.
        let fast = try StatsReport.withoutFolding(store.locations(), policy: try clock.policy(), now: now)
        var notes: [String] = []
        let useCache = try !noCache && UserConfig.load().cache
        let cache = useCache ? CacheFolder.path() : nil
        // A journal with a valid fold checkpoint: the summary from the checkpoint read in place, no ledger built.
        let viaCheckpoint = try fast == nil
            ? StatsReport.throughCheckpoint(store.locations(), registry: registry, policy: try clock.policy(), now: now,
                                            until: clock.cutoff, cacheFolder: cache, notes: &notes) : nil
        let loaded = try fast == nil && viaCheckpoint == nil
            ? LoadedStore.loadCheckpointed(store.locations(), registry: registry, policy: try clock.policy(),
                                           until: clock.cutoff, cacheFolder: cache, notes: &notes) : nil
        notes.forEach { printError("idemtop: " + $0) }
        guard let stats = fast ?? viaCheckpoint?.report ?? loaded.map({ StatsReport(ledger: $0.ledger, now: now) })
        else { return }
        var out = Output()
        switch format {
        case .json: out.line(ReportJSON.encode(stats, pretty: true))
        case .table: stats.lines(stores: try store.locations()).forEach { out.line($0) }
        }
        out.flush()
        loaded?.reportMalformed()
        if let warning = viaCheckpoint?.malformedWarning { printError("idemtop: " + warning) }
        keepUntilExit(loaded)
    }
}
