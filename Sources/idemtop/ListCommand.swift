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

    enum SortField: String, ExpressibleByArgument, CaseIterable {
        case status, tenant, token, operation, created, updated, expires, hits, mismatches, conflicts
        case lastSeen = "last_seen"
    }

    @OptionGroup var store: StoreArgument
    @Option(help: "Only tokens with this status (\(TokenStatus.allCases.map(\.rawValue).joined(separator: ", "))).")
    var status: String?
    @Option(help: "Only tokens of this tenant.") var tenant: String?
    @OptionGroup var filter: FilterOption
    @Option(help: "Sort by this field; times and counts sort newest/highest first, text A to Z.")
    var sort: SortField = .lastSeen
    @Flag(help: "Reverse the sort order.") var reverse = false
    @Option(parsing: .unconditional, help: "Print at most this many tokens.") var limit: Int?
    @Option(help: "Output format.") var format: Format = .table
    @OptionGroup var clock: ClockOptions

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
        let loaded = try LoadedStore.load(try store.location(), policy: try clock.policy(), until: clock.cutoff,
                                          observe: { if needsFindings { detector.observe($0) } })
        let ledger = loaded.ledger
        let wanted = status.flatMap(TokenStatus.init(rawValue:))
        let tenantID = tenant.map { ledger.tenants.lookup($0) ?? -1 }
        let matching = try filter.records(in: ledger, at: now, detector: detector)
        var rows = ledger.records.enumerated().compactMap { i, r -> TokenRecord? in
            guard tenantID.map({ r.tenantID == $0 }) ?? true, wanted.map({ r.status(at: now) == $0 }) ?? true,
                  matching.map({ $0.contains(Int32(i)) }) ?? true else { return nil }
            return r
        }
        rows.sort(by: ListCommand.order(sort, ledger: ledger, now: now))
        if reverse { rows.reverse() }
        if let limit { rows = Array(rows.prefix(limit)) }

        let fields = RecordFields(ledger: ledger, now: now)
        var out = Output()
        switch format {
        case .table:
            for line in TextTable.render(header: RecordFields.tableHeader, rows: rows.map(fields.cells),
                                         numeric: [6, 7, 8]) {
                out.line(line)
            }
        case .json:
            out.line(JSONText.encode(rows.map(fields.json), pretty: true))
        case .jsonl:
            for r in rows { out.line(JSONText.encode(fields.json(r))) }
        case .csv:
            out.line(TextTable.csvLine(RecordFields.csvHeader))
            for r in rows { out.line(TextTable.csvLine(fields.csv(r))) }
        }
        out.flush()
        loaded.reportMalformed()
    }

    /// The ordering for a sort field; ties broken by tenant and token so output is stable.
    static func order(_ field: SortField, ledger: Ledger, now: Instant) -> (TokenRecord, TokenRecord) -> Bool {
        func tie(_ a: TokenRecord, _ b: TokenRecord) -> Bool {
            (ledger.tenant(of: a), a.token) < (ledger.tenant(of: b), b.token)
        }
        func by<T: Comparable>(_ key: @escaping (TokenRecord) -> T, descending: Bool) -> (TokenRecord, TokenRecord) -> Bool {
            { a, b in
                let ka = key(a), kb = key(b)
                if ka != kb { return descending ? ka > kb : ka < kb }
                return tie(a, b)
            }
        }
        switch field {
        case .status: return by({ TokenStatus.allCases.firstIndex(of: $0.status(at: now)) ?? 0 }, descending: false)
        case .tenant: return by({ ledger.tenant(of: $0) }, descending: false)
        case .token: return by({ $0.token }, descending: false)
        case .operation: return by({ ledger.operation(of: $0) }, descending: false)
        case .created: return by({ $0.createdAt }, descending: true)
        case .updated: return by({ $0.updatedAt }, descending: true)
        case .expires: return by({ $0.expiresAt }, descending: false)
        case .hits: return by({ $0.hits }, descending: true)
        case .mismatches: return by({ $0.mismatches }, descending: true)
        case .conflicts: return by({ $0.conflicts }, descending: true)
        case .lastSeen: return by({ $0.lastSeen }, descending: true)
        }
    }
}
