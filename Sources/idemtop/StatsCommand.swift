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

    @OptionGroup var store: StoreArgument
    @Option(help: "Output format.") var format: TableOrJSON = .table
    @OptionGroup var clock: ClockOptions

    func run() throws {
        let now = try clock.instant()
        let loaded = try LoadedStore.load(try store.location(), policy: try clock.policy(), until: clock.cutoff)
        let stats = StoreStats(ledger: loaded.ledger, now: now)
        var out = Output()
        switch format {
        case .json: out.line(JSONText.encode(stats.json, pretty: true))
        case .table: stats.lines(store: try store.location()).forEach { out.line($0) }
        }
        out.flush()
        loaded.reportMalformed()
    }
}

/// The figures of `stats`, computed once from a ledger.
struct StoreStats {
    var tokens = 0
    var byStatus: [TokenStatus: Int] = [:]
    var tenants = 0
    var counts: EventCounts
    var malformed: Int
    var first: Instant?
    var last: Instant?

    init(ledger: Ledger, now: Instant) {
        tokens = ledger.count
        for r in ledger.records { byStatus[r.status(at: now), default: 0] += 1 }
        tenants = ledger.tenants.count
        counts = ledger.counts
        malformed = ledger.malformedCount
        last = ledger.lastEventAt
        first = ledger.records.lazy.map(\.createdAt).min()
    }

    var json: [String: Any] {
        var status: [String: Int] = [:]
        for s in TokenStatus.allCases { status[s.rawValue] = byStatus[s] ?? 0 }
        return [
            "tokens": tokens,
            "tenants": tenants,
            "events": counts.events,
            "requests": counts.requests,
            "by_status": status,
            "executed": counts[.executed],
            "hits": counts[.replayed],
            "mismatches": counts[.mismatch],
            "conflicts": counts[.conflict],
            "reexecuted": counts[.reexecuted],
            "completed": counts[EventKind.completed],
            "failed": counts[EventKind.failed],
            "purges": counts[.purge],
            "replays": counts[.replay],
            "malformed": malformed,
            "hit_rate": counts.requests > 0 ? Double(counts[.replayed]) / Double(counts.requests) : 0,
            "mismatch_rate": counts.requests > 0 ? Double(counts[.mismatch]) / Double(counts.requests) : 0,
            "last_event_at": last?.rfc3339 as Any,
        ]
    }

    func lines(store: StoreLocation) -> [String] {
        func pct(_ n: Int) -> String {
            counts.requests > 0 ? String(format: "%.1f%%", 100 * Double(n) / Double(counts.requests)) : "-"
        }
        var lines = ["store      \(store)", "tokens     \(tokens) in \(tenants) tenant(s)",
                     "events     \(counts.events) (\(counts.requests) requests)", ""]
        let statusRows = TokenStatus.allCases.map { [$0.rawValue, String(byStatus[$0] ?? 0)] }
        lines += TextTable.render(header: ["STATUS", "TOKENS"], rows: statusRows, numeric: [1])
        lines.append("")
        let outcomeRows = Outcome.allCases.map { [$0.rawValue, String(counts[$0]), pct(counts[$0])] }
        lines += TextTable.render(header: ["OUTCOME", "REQUESTS", "SHARE"], rows: outcomeRows, numeric: [1, 2])
        lines.append("")
        lines.append("completed \(counts[EventKind.completed])  failed \(counts[EventKind.failed])  "
                     + "purges \(counts[.purge])  replays \(counts[.replay])  malformed \(malformed)")
        if let last { lines.append("last event \(last.rfc3339)") }
        return lines
    }
}
