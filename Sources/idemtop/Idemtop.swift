import ArgumentParser
import IdemCore
import IdemApp
import IdemStore
import IdemUI

/// The root command: `idemtop STORE` opens the dashboard; the subcommands work headless.
struct Idemtop: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "idemtop",
        abstract: "A live dashboard for idempotency-token stores: status, expiry, duplicate hits and mismatches.",
        discussion: """
            STORE is a path: *.jsonl, *.ndjson, *.journal open a JSON-lines journal; *.db, *.sqlite, *.sqlite3 open \
            SQLite; journal:PATH and sqlite:PATH force the kind; dynamodb://TABLE?region=R&endpoint=URL reads a \
            Powertools idempotency table (docs/dynamodb.md).

            Examples:
              idemtop demo                          the dashboard on a live demo store
              idemtop payments.db                   the dashboard on a SQLite store
              idemtop list payments.jsonl --status stuck
              idemtop tail payments.db
            """,
        version: "0.1.0",
        subcommands: [
            UICommand.self, DemoCommand.self, ListCommand.self, ShowCommand.self, StatsCommand.self,
            TailCommand.self, AuditCommand.self, PurgeCommand.self, ReplayCommand.self, SimulateCommand.self,
            CheckPayloadCommand.self,
        ],
        defaultSubcommand: UICommand.self
    )
}

/// The store kinds this program opens, passed down to every command from here.
let registry = StoreRegistry.standard

/// `STORE`, the positional argument every command takes.
struct StoreArgument: ParsableArguments {
    @Argument(help: ArgumentHelp("The store: a .jsonl/.ndjson/.journal journal or a .db/.sqlite/.sqlite3 SQLite file.",
                                 valueName: "STORE"))
    var store: String

    func location() throws -> StoreLocation {
        do { return try registry.location(parsing: store) } catch let e as StoreError { throw CLIFailure.usage("\(e)") }
    }
}

/// `STORE...`: one or more stores shown as one (`ui`, `list`, `stats`, `audit`); each record keeps its store.
struct StoresArgument: ParsableArguments {
    @Argument(help: ArgumentHelp("One or more stores (as for STORE); several are merged into one view with a STORE column and the store:NAME filter term.",
                                 valueName: "STORE"))
    var stores: [String] = []

    func validate() throws {
        if stores.isEmpty { throw ValidationError("Missing expected argument '<STORE> ...'") }
        if stores.count > 255 { throw ValidationError("at most 255 stores in one view") }
    }

    func locations() throws -> [StoreLocation] {
        do { return try stores.map { try registry.location(parsing: $0) } } catch let e as StoreError {
            throw CLIFailure.usage("\(e)")
        }
    }
}

/// `--at TIME` and the store's timing rules, shared by the commands that derive statuses.
struct ClockOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Show the store as it stood at this instant (RFC 3339 such as 2026-11-29T05:00:00Z, 07:14 UTC, or -2h): later events are left out and statuses derive from this time.",
                               valueName: "TIME"))
    var at: String?

    @Option(help: ArgumentHelp("The retention window to assume for events that do not carry expires_at.",
                               valueName: "DURATION"))
    var retention: String = "24h"

    @Option(name: .customLong("lock-timeout"),
            help: ArgumentHelp("How long a token may stay in progress before it counts as stuck, for events that do not carry locked_until.",
                               valueName: "DURATION"))
    var lockTimeout: String = "60s"

    /// The clock read once per run: `--at -2h` and the cutoff agree to the millisecond.
    static let launchNow = SystemClock().now()

    /// The instant to fold the store up to: only `--at` cuts the store; without it every event counts.
    var cutoff: Instant? { at.flatMap { TimeSpec(parsing: $0) }.map { $0.resolve(reference: Self.launchNow, anchor: nil) } }

    /// `--at` as RFC 3339, a UTC time of day (the most recent at or before the clock: the store is not read yet),
    /// or relative to the clock (`-2h`); the clock without it.
    func instant() throws -> Instant {
        guard let at else { return SystemClock().now() }
        guard let spec = TimeSpec(parsing: at) else {
            throw ValidationError("--at wants a time such as 2026-11-29T05:00:00Z, 07:14 (UTC) or -2h, not '\(at)'")
        }
        return spec.resolve(reference: Self.launchNow, anchor: nil)
    }

    func policy() throws -> Policy { try parsePolicy(retention: retention, lockTimeout: lockTimeout) }
}

/// `--filter TERMS`: the dashboard's filter language for the headless commands.
struct FilterOption: ParsableArguments {
    @Option(help: ArgumentHelp("Only tokens the dashboard's filter would show, e.g. 'status:stuck age>10m op:charges' (terms AND, ! negates; see README).",
                               valueName: "TERMS"))
    var filter: String?

    /// The parsed filter (nil without `--filter`).
    func parsed() throws -> Filter? {
        guard let filter else { return nil }
        switch Filter.parse(filter) {
        case .success(let f): return f
        case .failure(let e): throw ValidationError("--filter: \(e.message)")
        }
    }

    func validate() throws { _ = try parsed() }

    /// The records that match at `now`, or nil when there is no filter. `detector` has seen the store's events,
    /// for `finding:KIND` terms; `stores` (by store number) are searched for `body:TEXT` terms.
    func records(in ledger: Ledger, at now: Instant, detector: FindingsDetector,
                 stores: [StoreLocation] = []) throws -> Set<Int32>? {
        guard let f = try parsed() else { return nil }
        let findings = f.usesFindings ? detector.findings(at: now, ledger: ledger) : []
        var bodies: [String: Set<Int32>] = [:]
        for needle in f.bodyNeedles {
            var found: Set<Int32> = []
            for (n, location) in stores.enumerated() {
                let searcher: any BodySearcher
                switch BodySearch.searcher(for: location) {
                case .success(let s): searcher = s
                case .failure(let e): throw CLIFailure(message: "--filter: \(e)", code: 2)
                }
                for k in try searcher.search(needle, progress: { _, _ in true }) {
                    if let i = ledger.indexOf(TokenKey(tenant: k.tenant, token: k.token, store: UInt8(n))) {
                        found.insert(Int32(i))
                    }
                }
            }
            bodies[needle] = found
        }
        return Set(f.matchingRecords(in: ledger, at: now, findings: findings, bodies: bodies))
    }

    /// Whether loading should run the detectors for this filter.
    var needsFindings: Bool { (try? parsed())??.usesFindings ?? false }
}

/// The store's timing rules from `--retention` and `--lock-timeout`.
func parsePolicy(retention: String, lockTimeout: String) throws -> Policy {
    guard let r = TimeSpan(parsing: retention), r.ms > 0 else {
        throw ValidationError("--retention wants a duration such as 24h or 90m, not '\(retention)'")
    }
    guard let l = TimeSpan(parsing: lockTimeout), l.ms > 0 else {
        throw ValidationError("--lock-timeout wants a duration such as 60s or 5m, not '\(lockTimeout)'")
    }
    return Policy(retention: r, lockTimeout: l)
}

/// Output formats of the headless commands.
enum TableOrJSON: String, ExpressibleByArgument, CaseIterable {
    case table, json
}
