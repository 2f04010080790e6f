import IdemApp
import ArgumentParser
import IdemActions
import IdemCore
import IdemStore
import IdemUI

/// `idemtop purge STORE TOKEN` and `idemtop purge STORE --status stuck --older-than 10m`: guarded manual expiry.
struct PurgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Expire tokens by hand: the next request with a purged token executes anew.",
        discussion: """
            A purge is a compare-and-set on what you saw: if the service changed the token since (completed it, \
            took a new request), the purge is refused, nothing changes, and the exit code is 3. Every purge is \
            recorded as an admin event (who, when, why, what it replaced), shown by tail and show.

            What a purge does depends on the store and is listed before you confirm: a stuck rocket-rides key in \
            Postgres has its lock released and its row kept (the retry resumes the request), not deleted.

            Without --yes it asks on the terminal (one token: type y; several: type their number), and refuses \
            when stdin is not a terminal (exit 2).

            Examples:
              idemtop purge payments.db order-10042 --tenant umbrella --reason "card network timeout, customer retrying"
              idemtop purge payments.jsonl --status stuck --older-than 10m --reason "deploy 4711 crashed" --dry-run
              idemtop purge payments.db --status stuck --older-than 1h --reason "nightly sweep" --yes --format json
              idemtop purge payments.db --filter 'status:stuck tenant:acme op:refunds' --reason "deploy 4711" --dry-run

            --format json prints one object (dry_run, purged, refused, and per token what was seen and what \
            happened); it is for scripts, so it wants --yes or --dry-run.
            """)

    @OptionGroup var store: StoreArgument
    @Argument(help: "The token (omit it and give --status or --filter for a bulk purge).") var token: String?
    @Option(help: "The tenant of the token (needed when it exists in several); for a bulk purge, only this tenant.")
    var tenant: String?
    @Option(help: "Why: recorded in the admin event.") var reason: String
    @Option(help: "Bulk: purge every token with this status (e.g. stuck).") var status: String?
    @OptionGroup var filter: FilterOption
    @Option(name: .customLong("older-than"), help: ArgumentHelp("Bulk: only tokens whose execution began at least this long ago.", valueName: "DURATION"))
    var olderThan: String?
    @Option(name: .customLong("expect-version"),
            help: ArgumentHelp("Purge only if the token still has this version (as `show` printed it).", valueName: "N"))
    var expectVersion: Int?
    @Flag(help: "Do not ask for confirmation.") var yes = false
    @Flag(name: .customLong("dry-run"), help: "Print what would be purged; write nothing.") var dryRun = false
    @Flag(name: .customLong("read-only"), help: "Open the store read-only: every purge is refused.") var readOnly = false
    @Option(help: "Output format.") var format: TableOrJSON = .table
    @OptionGroup var clock: ClockOptions

    func validate() throws {
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--reason must say why") }
        if token != nil, status != nil || olderThan != nil || filter.filter != nil {
            throw ValidationError("give either a TOKEN or --status/--filter/--older-than for a bulk purge, not both")
        }
        if token == nil, status == nil, filter.filter == nil {
            throw ValidationError("give a TOKEN, or --status or --filter (and --older-than) for a bulk purge")
        }
        if let f = filter.filter, f.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--filter needs terms: an empty filter would select every token")
        }
        if token == nil, expectVersion != nil { throw ValidationError("--expect-version is for one token") }
        if let status, TokenStatus(rawValue: status) == nil || status == TokenStatus.purged.rawValue {
            let names = TokenStatus.allCases.filter { $0 != .purged }.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("--status must be one of \(names), not '\(status)'")
        }
        if let olderThan, TimeSpan(parsing: olderThan) == nil {
            throw ValidationError("--older-than wants a duration such as 10m or 2h, not '\(olderThan)'")
        }
        if format == .json, !yes, !dryRun {
            throw ValidationError("--format json is for scripts, which cannot answer a prompt: add --yes or --dry-run")
        }
    }

    func run() throws {
        let configReadOnly = try UserConfig.load().readOnly
        let readOnly = self.readOnly || configReadOnly
        let now = try clock.instant()
        let location = try store.location()
        var detector = FindingsDetector()
        let needsFindings = filter.needsFindings
        let loaded = try LoadedStore.load(location, registry: registry, policy: try clock.policy(),
                                          observe: { if needsFindings { detector.observe($0) } })
        if needsFindings { loaded.supplyFindings(to: &detector) }
        let ledger = loaded.ledger
        var targets: [PurgeTarget]
        if let token {
            do {
                targets = [try PurgeRun.target(token: token, tenant: tenant, expectVersion: expectVersion, in: ledger,
                                               at: now)]
            } catch let e as TokenLookup.Failure {
                throw CLIFailure(message: e.message, code: e.ambiguous ? 2 : 1)
            } catch let e as PurgeRun.Refusal {
                throw CLIFailure(message: e.message, code: e.code)
            }
        } else {
            let selection = PurgeSelection(status: status.flatMap(TokenStatus.init(rawValue:)),
                                           olderThan: olderThan.flatMap { TimeSpan(parsing: $0) } ?? TimeSpan(ms: 0),
                                           tenant: tenant, records: try filter.records(in: ledger, at: now,
                                                                                       detector: detector,
                                                                                       stores: [location]))
            targets = selection.targets(in: ledger, at: now)
        }
        // Worded as the store's purge really acts on each (a stuck rocket-rides key is released, not deleted).
        targets = targets.map { registry.worded($0, in: location) }
        let actions = TokenActions(location: location, registry: registry, readOnly: false, policy: try clock.policy())
        if !dryRun {
            // Refuse before printing anything: a refusal is one line.
            if readOnly { throw StoreError.readOnly("purge is an action; drop --read-only") }
            if !yes, !Confirmation.canAsk { throw Confirmation.noTerminal(action: "purge") }
            if !targets.isEmpty { try actions.openForWriting("purge") }
        }
        if format == .json {
            try runJSON(targets, actions: actions)
            return
        }
        var out = Output()
        PurgeRun.preview(targets, dryRun: dryRun).forEach { out.line($0) }
        out.flush()
        guard !targets.isEmpty else { return }
        if dryRun {
            out.line("dry run: nothing was purged")
            out.flush()
            return
        }
        if !yes {
            if targets.count == 1 {
                try Confirmation.require("\(targets[0].wording.action) \(targets[0].key.visibleText)? Type y to confirm:",
                                         typing: "y", action: "purge")
            } else {
                try Confirmation.require("Purge \(targets.count) tokens? Type \(targets.count) to confirm:",
                                         typing: "\(targets.count)", action: "purge")
            }
        }
        let outcomes = try actions.purge(targets, reason: reason)
        var refused = 0
        for (t, outcome) in zip(targets, outcomes) {
            if case .refused(let why) = outcome {
                out.flush()
                if targets.count == 1 { throw CLIFailure(message: "refused: \(why)", code: 3) }
                refused += 1
                printError("idemtop: refused: \(why)")
            } else {
                out.line(PurgeRun.line(t, outcome, actor: actions.actor))
            }
        }
        out.flush()
        try refusedFailure { try PurgeRun.failIfRefused(refused, of: targets.count, why: nil) }
    }

    /// `--format json`: purges (or, dry, lists) the targets without asking and prints one object; refusals still
    /// exit 3, after the object.
    private func runJSON(_ targets: [PurgeTarget], actions: TokenActions) throws {
        var outcomes: [PurgeOutcome?] = Array(repeating: nil, count: targets.count)
        if !dryRun, !targets.isEmpty { outcomes = try actions.purge(targets, reason: reason).map { $0 } }
        let report = PurgeReport(targets: targets, outcomes: outcomes, dryRun: dryRun, reason: reason)
        var out = Output()
        out.line(ReportJSON.encode(report, pretty: true))
        out.flush()
        try refusedFailure {
            try PurgeRun.failIfRefused(report.refused, of: targets.count, why: report.firstRefusal)
        }
    }

    /// A refusal as the CLI's failure (exit 3).
    private func refusedFailure(_ body: () throws -> Void) throws {
        do { try body() } catch let e as PurgeRun.Refusal { throw CLIFailure(message: e.message, code: e.code) }
    }
}
