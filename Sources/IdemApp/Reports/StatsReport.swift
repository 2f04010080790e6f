import Foundation
import IdemCore
import IdemStore

/// The figures of `stats`, computed once from a ledger: JSON for scripts, lines for people.
public struct StatsReport: Encodable, Sendable {
    public var tokens: Int
    public var tenants: Int
    public var events: Int
    public var requests: Int
    public var byStatus: [String: Int]
    public var executed: Int
    public var hits: Int
    public var mismatches: Int
    public var conflicts: Int
    public var reexecuted: Int
    public var completed: Int
    public var failed: Int
    public var purges: Int
    public var replays: Int
    public var malformed: Int
    public var hitRate: Double
    public var mismatchRate: Double
    @Nullable public var lastEventAt: String?
    var counts: EventCounts
    var statuses: [TokenStatus: Int]

    enum CodingKeys: String, CodingKey {
        case tokens, tenants, events, requests, executed, hits, mismatches, conflicts, reexecuted, completed, failed
        case purges, replays, malformed
        case byStatus = "by_status", hitRate = "hit_rate", mismatchRate = "mismatch_rate", lastEventAt = "last_event_at"
    }

    public init(ledger: Ledger, now: Instant) {
        // Tallied in an array, each record read where it lies: `for r in ledger.records` copied every record (a
        // retain and release of its token) and the dictionary hashed each status, about 0.1 s at a million tokens.
        var tally = [Int](repeating: 0, count: TokenStatus.allCases.count)
        ledger.records.withUnsafeBufferPointer { b in
            for i in b.indices {
                let status = TokenRecord.derive(stored: b[i].stored, expiresAt: b[i].expiresAt,
                                                lockedUntil: b[i].lockedUntil, at: now)
                switch status {
                case .inProgress: tally[0] += 1
                case .stuck: tally[1] += 1
                case .completed: tally[2] += 1
                case .failed: tally[3] += 1
                case .expired: tally[4] += 1
                case .purged: tally[5] += 1
                }
            }
        }
        var statuses: [TokenStatus: Int] = [:]
        for (k, status) in [TokenStatus.inProgress, .stuck, .completed, .failed, .expired, .purged].enumerated()
        where tally[k] > 0 {
            statuses[status] = tally[k]
        }
        self.init(counts: ledger.counts, statuses: statuses, tokens: ledger.count, tenants: ledger.tenants.count,
                  malformed: ledger.malformedCount, lastEventAt: ledger.lastEventAt)
    }

    /// The figures SQLite computed itself (`SQLiteSummary`): the same as the fold's on the same store.
    public init(summary s: SQLiteSummary) {
        self.init(counts: s.counts, statuses: s.statuses, tokens: s.tokens, tenants: s.tenants, malformed: 0,
                  lastEventAt: s.lastEventAt)
    }

    /// The summary of `locations` with statuses at `now` without folding the events, when the store can say it
    /// itself: one SQLite store, no event after `now`, no malformed row. Nil otherwise (the caller folds).
    public static func withoutFolding(_ locations: [StoreLocation], policy: Policy, now: Instant) throws -> StatsReport? {
        guard locations.count == 1, let l = locations.first, l.kind == SQLiteDriver.kind,
              let summary = try SQLiteSummary.read(path: l.path, now: now, policy: policy) else { return nil }
        return StatsReport(summary: summary)
    }

    init(counts: EventCounts, statuses: [TokenStatus: Int], tokens: Int, tenants: Int, malformed: Int,
                 lastEventAt: Instant?) {
        self.statuses = statuses
        self.counts = counts
        self.tokens = tokens
        self.tenants = tenants
        events = counts.events
        requests = counts.requests
        byStatus = Dictionary(uniqueKeysWithValues: TokenStatus.allCases.map { ($0.rawValue, statuses[$0] ?? 0) })
        executed = counts[.executed]
        hits = counts[.replayed]
        mismatches = counts[.mismatch]
        conflicts = counts[.conflict]
        reexecuted = counts[.reexecuted]
        completed = counts[EventKind.completed]
        failed = counts[EventKind.failed]
        purges = counts[.purge]
        replays = counts[.replay]
        self.malformed = malformed
        hitRate = counts.requests > 0 ? Double(counts[.replayed]) / Double(counts.requests) : 0
        mismatchRate = counts.requests > 0 ? Double(counts[.mismatch]) / Double(counts.requests) : 0
        self.lastEventAt = lastEventAt?.rfc3339
    }

    /// The table `stats` prints for `stores` (their totals together).
    public func lines(stores: [StoreLocation]) -> [String] {
        func pct(_ n: Int) -> String {
            requests > 0 ? String(format: "%.1f%%", 100 * Double(n) / Double(requests)) : "-"
        }
        let names = stores.map { Sanitizer.visible($0.description) }.joined(separator: ", ")
        var lines = ["\(stores.count == 1 ? "store " : "stores")     \(names)", "tokens     \(tokens) in \(tenants) tenant(s)",
                     "events     \(events) (\(requests) requests)", ""]
        let statusRows = TokenStatus.allCases.map { [$0.rawValue, String(statuses[$0] ?? 0)] }
        lines += TextTable.render(header: ["STATUS", "TOKENS"], rows: statusRows, numeric: [1])
        lines.append("")
        let outcomeRows = Outcome.allCases.map { [$0.rawValue, String(counts[$0]), pct(counts[$0])] }
        lines += TextTable.render(header: ["OUTCOME", "REQUESTS", "SHARE"], rows: outcomeRows, numeric: [1, 2])
        lines.append("")
        lines.append("completed \(completed)  failed \(failed)  purges \(purges)  replays \(replays)  malformed \(malformed)")
        if let lastEventAt { lines.append("last event \(lastEventAt)") }
        return lines
    }
}
