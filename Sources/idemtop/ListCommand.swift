import IdemApp
import ArgumentParser
import IdemCore
import IdemStore
import IdemUI

/// `idemtop list STORE`: the tokens of a store with their derived status.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List tokens with their status, expiry, hits, mismatches and conflicts.",
        discussion: """
            Examples:
              idemtop list payments.jsonl --status stuck
              idemtop list payments.db --tenant acme --sort hits --limit 20
              idemtop list payments.db --format json --at 2026-11-29T05:00:00Z | jq '.[0]'
              idemtop list payments.db --filter 'status:stuck age>10m op:charges'
              idemtop list payments.jsonl --filter 'finding:double_charge' --format csv
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json, jsonl, csv }

    typealias SortField = TokenListing.SortField

    @OptionGroup var store: StoresArgument
    @Option(help: "Only tokens with this status (\(TokenStatus.allCases.map(\.rawValue).joined(separator: ", "))).")
    var status: String?
    @Option(help: "Only tokens of this tenant.") var tenant: String?
    @OptionGroup var filter: FilterOption
    @Option(help: "Sort by this field; times and counts sort newest/highest first, text A to Z. The dashboard's :sort takes the same names (age is created).")
    var sort: SortField = .lastSeen
    @Flag(help: "Reverse the sort order.") var reverse = false
    @Option(parsing: .unconditional, help: "Print at most this many tokens.") var limit: Int?
    @Option(help: "Output format.") var format: Format = .table
    @OptionGroup var clock: ClockOptions
    @Flag(help: "Neither read nor write the journal's fold checkpoint in the cache folder.") var noCache = false

    func validate() throws {
        if let status, TokenStatus(rawValue: status) == nil {
            throw ValidationError("--status must be one of \(TokenStatus.allCases.map(\.rawValue).joined(separator: ", ")), not '\(status)'")
        }
        if let limit, limit < 0 { throw ValidationError("--limit must be >= 0, not \(limit)") }
    }

    func run() throws {
        let now = try clock.instant()
        var detector = FindingsDetector()
        let needsFindings = filter.needsFindings
        // The findings need every event: only a listing without them folds from the checkpoint.
        var notes: [String] = []
        let cache = try !noCache && !needsFindings && UserConfig.load().cache ? CacheFolder.path() : nil
        // Without a filter (its time windows and findings need every event), a SQLite store's token table is read
        // as it is, not folded from its events.
        let table = filter.filter == nil
            ? try LoadedStore.fromTokenTable(store.locations(), registry: registry, policy: try clock.policy(),
                                             until: clock.cutoff)
            : nil
        let loaded: LoadedStore
        if let table {
            loaded = table
        } else if cache != nil {
            loaded = try LoadedStore.loadCheckpointed(store.locations(), registry: registry, policy: try clock.policy(),
                                                      until: clock.cutoff, cacheFolder: cache, notes: &notes)
        } else {
            // Without findings to detect, nothing observes the events: the load only folds (the journal's block
            // scan, no `StoreEvent` made), as `stats` does.
            loaded = try LoadedStore.load(store.locations(), registry: registry, policy: try clock.policy(),
                                          until: clock.cutoff, tokenIndex: false,
                                          observe: needsFindings ? { detector.observe($0) } : nil)
        }
        notes.forEach { printError("idemtop: " + $0) }
        if needsFindings { loaded.supplyFindings(to: &detector) }
        let ledger = loaded.ledger
        let listing = TokenListing(status: status.flatMap(TokenStatus.init(rawValue:)), tenant: tenant,
                                   records: try filter.records(in: ledger, at: now, detector: detector,
                                                                stores: try store.locations()),
                                   sort: sort, reverse: reverse, limit: limit)
        let rows = listing.rows(in: ledger, at: now)
        var out = Output()
        switch format {
        case .table:
            for line in TextTable.render(header: TokenRow.tableHeader(ledger),
                                         rows: rows.map { TokenRow.cells($0, in: ledger, at: now) },
                                         numeric: TokenRow.numericColumns(ledger)) {
                out.line(line)
            }
        case .json:
            TokenExport.lines(rows, in: ledger, at: now, format: .json).forEach { out.line($0) }
        case .jsonl:
            for r in rows { out.line(ReportJSON.encode(TokenRow(r, in: ledger, at: now))) }
        case .csv:
            TokenExport.lines(rows, in: ledger, at: now, format: .csv).forEach { out.line($0) }
        }
        out.flush()
        loaded.reportMalformed()
        keepUntilExit(loaded)
    }
}

extension TokenListing.SortField: ExpressibleByArgument {
    /// The field names, and the dashboard's `:sort` names as aliases (`age`, `last-seen`, `mism`).
    public init?(argument: String) { self.init(name: argument) }
}
