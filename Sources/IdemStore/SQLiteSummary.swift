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

    /// Up to this many event rows one connection counts them all; above it two do, on two threads (a second
    /// connection costs more than it saves on a small store). Tests pass a small number to split small stores.
    public static let splitAbove: Int64 = 200_000

    /// One pass over the events of seq ?1 to ?2: every count the summary prints, the newest time, and what tells
    /// whether a row is malformed as the reader (`SQLiteEventRow.decode`) judges it; keep the two in step
    /// (`SQLiteSummaryTests` damages a row each way and expects the fold). Aggregates instead of a per-row
    /// condition: an OR of a dozen tests on every row cost 3-4 times the counting; these cost about 1.5 times it.
    /// The range is of rowids, so each half of the table is one range scan (`EventScan.run` reads two at once).
    ///
    /// - kind NULL or unknown: the five kind counts do not add up to `count(*)` (columns 0-5);
    /// - the outcomes are counted on requests only, as the fold counts them (`EventCounts.add`), columns 6-10; an
    ///   unknown outcome on any row (the reader rejects it whatever the kind): column 12 is not 0;
    /// - tenant or token NULL (13, 14), a request without outcome (15), `at` not an integer (16);
    /// - an integer column holding text or a blob: its `max` is not an integer (SQLite orders numbers before text
    ///   and blobs); holding a real: `sum(x * 0)` is a real; out of 32-bit range: `max(abs(x))` (17-29);
    /// - an unknown `saw_status` (30).
    static let countsSQL = """
        SELECT count(*), sum(kind = 'request'), sum(kind = 'completed'), sum(kind = 'failed'), sum(kind = 'purge'),
               sum(kind = 'replay'), sum(kind = 'request' AND outcome = 'executed'),
               sum(kind = 'request' AND outcome = 'replayed'), sum(kind = 'request' AND outcome = 'mismatch'),
               sum(kind = 'request' AND outcome = 'conflict'), sum(kind = 'request' AND outcome = 'reexecuted'),
               max(at),
               sum(outcome NOT IN ('executed', 'replayed', 'mismatch', 'conflict', 'reexecuted')), count(tenant),
               count(token), sum(outcome IS NULL AND kind = 'request'), sum(typeof(at) <> 'integer'),
               max(expires_at), sum(expires_at * 0), max(locked_until), sum(locked_until * 0),
               max(response_status), sum(response_status * 0), max(abs(response_status)),
               max(saw_version), sum(saw_version * 0), max(abs(saw_version)),
               max(result_status), sum(result_status * 0), max(abs(result_status)),
               sum(saw_status NOT IN ('in_progress', 'stuck', 'completed', 'failed', 'expired', 'purged'))
        FROM idem_events WHERE seq BETWEEN ?1 AND ?2
        """

    /// Whether the counts row says every row is well formed (see `countsSQL`).
    static func wellFormed(_ c: SQLiteStatement) -> Bool {
        func n(_ column: Int32) -> Int64 { c.int64(column) ?? 0 }
        func integerOrNull(_ column: Int32) -> Bool { c.isNull(column) || c.isInteger(column) }
        let all = n(0)
        guard (1...5).map({ n(Int32($0)) }).reduce(0, +) == all,
              n(12) == 0, n(13) == all, n(14) == all, n(15) == 0, n(16) == 0,
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
    /// type's note). Opens the store read-only, as every reader does. The events are counted on two connections
    /// at once (`EventScan.run`), the token statuses on the first while the second counts.
    public static func read(path: String, now: Instant, policy: Policy,
                            splitAbove: Int64 = SQLiteSummary.splitAbove) throws -> SQLiteSummary? {
        let db = try SQLiteSchema.open(path: path, mode: .readOnly, busyTimeout: SQLiteSchema.defaultBusyTimeout)
        // One read transaction: the counts and the token rows are of the same moment.
        try db.execute("BEGIN")
        defer { try? db.execute("COMMIT") }
        var s = SQLiteSummary()
        var known = true
        let scanned = try EventScan.run(path: path, db: db, otherShare: 60, splitAbove: splitAbove) {
            let st = try db.prepare(statusSQL)
            try st.bind(1, now.ms)
            try st.bind(2, policy.retention.ms)
            try st.bind(3, policy.lockTimeout.ms)
            while try st.step() {
                guard let name = st.text(0), let status = TokenStatus(rawValue: name) else {
                    known = false
                    continue
                }
                let count = Int(st.int64(1) ?? 0)
                s.statuses[status, default: 0] += count
                s.tokens += count
            }
            s.tenants = Int(try db.scalarInt("SELECT count(DISTINCT tenant) FROM idem_tokens") ?? 0)
        }
        guard known, let events = scanned?.scan else { return nil }
        if let newest = events.newest {
            if newest > now.ms { return nil }
            s.lastEventAt = Instant(ms: newest)
        }
        s.counts = events.counts
        return s
    }
}
