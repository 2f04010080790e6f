import Foundation
import IdemCore

/// The summary `idemtop stats` prints, computed by SQLite itself: counts by kind and outcome in one pass over
/// `idem_events`, tokens by derived status from `idem_tokens`, no event row made into a Swift value.
///
/// `idem_tokens` always equals the fold of `idem_events` (README, "The SQLite format"), so its rows give the same
/// statuses the fold derives, when the summary is of the whole store: `read` answers nil (the caller folds the events)
/// when the instant asked for is before the newest event (the store as it stood then is not in `idem_tokens`) or
/// when a row is malformed (the fold reports the first one, with its seq and reason, as it always has).
public struct SQLiteSummary: Sendable {
    public var counts = EventCounts()
    public var statuses: [TokenStatus: Int] = [:]
    public var tokens = 0
    public var tenants = 0
    public var lastEventAt: Instant?

    /// One pass over the events: every count the summary prints, the newest time, and what tells whether a row is
    /// malformed as the reader (`SQLiteEventRow.decode`) judges it; keep the two in step (`SQLiteSummaryTests` damages
    /// a row each way and expects the fold). Aggregates instead of a per-row condition: an OR of a dozen tests on
    /// every row cost 3-4 times the counting; these cost about 1.5 times it.
    ///
    /// - kind NULL or unknown: the five kind counts do not add up to `count(*)` (columns 0-5);
    /// - an unknown outcome: the five outcome counts do not add up to `count(outcome)` (6-10, 12);
    /// - tenant or token NULL (13, 14), a request without outcome (15), `at` not an integer (16);
    /// - an integer column holding text or a blob: its `max` is not an integer (SQLite orders numbers before text
    ///   and blobs); holding a real: `sum(x * 0)` is a real; out of 32-bit range: `max(abs(x))` (17-29);
    /// - an unknown `saw_status` (30).
    static let countsSQL = """
        SELECT count(*), sum(kind = 'request'), sum(kind = 'completed'), sum(kind = 'failed'), sum(kind = 'purge'),
               sum(kind = 'replay'), sum(outcome = 'executed'), sum(outcome = 'replayed'), sum(outcome = 'mismatch'),
               sum(outcome = 'conflict'), sum(outcome = 'reexecuted'), max(at), count(outcome), count(tenant),
               count(token), sum(outcome IS NULL AND kind = 'request'), sum(typeof(at) <> 'integer'),
               max(expires_at), sum(expires_at * 0), max(locked_until), sum(locked_until * 0),
               max(response_status), sum(response_status * 0), max(abs(response_status)),
               max(saw_version), sum(saw_version * 0), max(abs(saw_version)),
               max(result_status), sum(result_status * 0), max(abs(result_status)),
               sum(saw_status NOT IN ('in_progress', 'stuck', 'completed', 'failed', 'expired', 'purged'))
        FROM idem_events
        """

    /// Whether the counts row says every row is well formed (see `countsSQL`).
    static func wellFormed(_ c: SQLiteStatement) -> Bool {
        func n(_ column: Int32) -> Int64 { c.int64(column) ?? 0 }
        func integerOrNull(_ column: Int32) -> Bool { c.isNull(column) || c.isInteger(column) }
        let all = n(0)
        guard (1...5).map({ n(Int32($0)) }).reduce(0, +) == all,
              (6...10).map({ n(Int32($0)) }).reduce(0, +) == n(12),
              n(13) == all, n(14) == all, n(15) == 0, n(16) == 0,
              (17...29).allSatisfy({ integerOrNull(Int32($0)) }),
              [23, 26, 29].allSatisfy({ n(Int32($0)) <= Int64(Int32.max) }),
              n(30) == 0 else { return false }
        return true
    }

    /// Tokens by derived status at ?1 (TokenRecord.derive: purged, then expiry, then a stuck lock), with the
    /// policy's retention (?2) and lock timeout (?3) where a row has no expiry or lock time, as the fold does.
    static let statusSQL = """
        SELECT CASE WHEN status = 'purged' THEN 'purged'
                    WHEN ?1 >= coalesce(expires_at, created_at + ?2) THEN 'expired'
                    WHEN status = 'in_progress' AND ?1 >= coalesce(locked_until, created_at + ?3) THEN 'stuck'
                    ELSE status END, count(*)
        FROM idem_tokens GROUP BY 1
        """

    /// The summary of the store at `path` with statuses at `now`, or nil when only the fold can give it (see the
    /// type's note). Opens the store read-only, as every reader does.
    public static func read(path: String, now: Instant, policy: Policy) throws -> SQLiteSummary? {
        let db = try SQLiteSchema.open(path: path, mode: .readOnly, busyTimeout: SQLiteSchema.defaultBusyTimeout)
        // One read transaction: the counts and the token rows are of the same moment.
        try db.execute("BEGIN")
        defer { try? db.execute("COMMIT") }
        var s = SQLiteSummary()
        let c = try db.prepare(countsSQL)
        // An error here (abs() of the smallest integer overflows) is a row only the fold can judge.
        guard (try? c.step()) == true, wellFormed(c) else { return nil }
        let n = (0..<11).map { c.int64(Int32($0)) ?? 0 }
        if let newest = c.int64(11) {
            if newest > now.ms { return nil }
            s.lastEventAt = Instant(ms: newest)
        }
        let kinds: [EventKind] = [.request, .completed, .failed, .purge, .replay]
        let outcomes: [Outcome] = [.executed, .replayed, .mismatch, .conflict, .reexecuted]
        for (k, kind) in kinds.enumerated() { s.counts.add(kind: kind, outcome: nil, count: Int(n[1 + k])) }
        for (k, outcome) in outcomes.enumerated() { s.counts.add(kind: nil, outcome: outcome, count: Int(n[6 + k])) }
        let st = try db.prepare(statusSQL)
        try st.bind(1, now.ms)
        try st.bind(2, policy.retention.ms)
        try st.bind(3, policy.lockTimeout.ms)
        while try st.step() {
            guard let name = st.text(0), let status = TokenStatus(rawValue: name) else { return nil }
            let count = Int(st.int64(1) ?? 0)
            s.statuses[status, default: 0] += count
            s.tokens += count
        }
        st.reset()
        s.tenants = Int(try db.scalarInt("SELECT count(DISTINCT tenant) FROM idem_tokens") ?? 0)
        return s
    }
}
