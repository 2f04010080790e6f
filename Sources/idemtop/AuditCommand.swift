import IdemApp
import ArgumentParser
import IdemCore
import IdemStore

/// `idemtop audit STORE`: the findings (double-charge suspects, token reuse, stuck tokens, ...) as a report.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Report what is wrong in a store: double-charge suspects, reuse, stuck and weak tokens, retry storms.",
        discussion: """
            Exit codes: 0 when no finding reaches --fail-on (or without it), 4 when one does, so a cron job or a \
            CI pipeline can run it.

            Examples:
              idemtop audit payments.jsonl
              idemtop audit payments.db --since 1h --format json | jq '.[] | select(.kind == "double_charge_suspect")'
              idemtop audit payments.db --fail-on high
            """)

    @OptionGroup var store: StoresArgument
    @Option(help: ArgumentHelp("Only findings last seen within this span before now (or --at), e.g. 30m, 24h.",
                               valueName: "DURATION"))
    var since: String?
    @Option(help: "Output format.") var format: TableOrJSON = .table
    @Option(name: .customLong("fail-on"),
            help: ArgumentHelp("Exit 4 when a finding of this severity or higher exists (low, medium, high, critical).",
                               valueName: "SEVERITY"))
    var failOn: String?
    @OptionGroup var clock: ClockOptions

    func validate() throws {
        if let since, TimeSpan(parsing: since) == nil {
            throw ValidationError("--since wants a duration such as 30m or 24h, not '\(since)'")
        }
        if let failOn, Severity(parsing: failOn) == nil {
            throw ValidationError("--fail-on must be one of low, medium, high, critical, not '\(failOn)'")
        }
    }

    func run() throws {
        let now = try clock.instant()
        var detector = FindingsDetector()
        let loaded = try LoadedStore.load(store.locations(), registry: registry, policy: try clock.policy(), until: clock.cutoff,
                                          observe: { detector.observe($0) })
        loaded.supplyFindings(to: &detector)
        let from = since.flatMap(TimeSpan.init(parsing:)).map { now - $0 }
        let (findings, suppressed) = detector.report(at: now, ledger: loaded.ledger, since: from)
        var out = Output()
        let text = format == .json ? FindingsReport.json(findings) : FindingsReport.table(findings, suppressed: suppressed)
        out.bytes(Array(text.utf8))
        out.flush()
        // JSON is a list of findings: what was left out of it is said on stderr.
        if format == .json, let line = FindingsReport.notListed(suppressed) { printError("idemtop: note: " + line) }
        loaded.reportMalformed()
        keepUntilExit(loaded)
        let code = FindingsReport.exitCode(findings: findings, failOn: failOn.flatMap(Severity.init(parsing:)))
        if code != 0 { throw ExitCode(code) }
    }
}
