import CSQLite
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

    /// One pass over the events of seq ?1 to ?2 with the aggregate `idem_tally` (CSQLite/shim.h, registered on the
    /// connection by `EventScan.scan`): every count the summary prints, the newest time, and how many rows the
    /// reader (`SQLiteEventRow.decode`) would reject. One C step a row judges a row as `decode` does; the thirty
    /// built-in aggregates that did the same cost 7.7 s of CPU on a million-token store, six times the counting.
    /// The range is of rowids, so each half of the table is one range scan (`EventScan.run` reads two at once).
    static let countsSQL = """
        SELECT idem_tally(kind, outcome, at, tenant, token, expires_at, locked_until, response_status, saw_status,
                          saw_version, result_status)
        FROM idem_events WHERE seq BETWEEN ?1 AND ?2
        """

    /// Tokens by derived status at ?1 (TokenRecord.derive: purged, then expiry, then a stuck lock), with the
    /// policy's retention (?2) and lock timeout (?3) where a row has no expiry or lock time, as the fold does:
    /// `CASE WHEN status = 'purged' THEN 'purged' WHEN ?1 >= coalesce(expires_at, created_at + ?2) THEN 'expired'
    /// WHEN status = 'in_progress' AND ?1 >= coalesce(locked_until, created_at + ?3) THEN 'stuck' ELSE status END`,
    /// counted by the aggregate `idem_statuses` (CSQLite/shim.h) in one step a row; a `GROUP BY` of that CASE
    /// sorted every row and cost about a third of the summary on a million tokens.
    static let statusSQL = """
        SELECT idem_statuses(status, expires_at, created_at, locked_until, ?1, ?2, ?3) FROM idem_tokens
        """

    /// The order of `idem_statuses`' counts.
    static let statusOrder: [TokenStatus] = [.inProgress, .stuck, .completed, .failed, .expired, .purged]

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
            try db.registerTally()
            let st = try db.prepare(statusSQL)
            try st.bind(1, now.ms)
            try st.bind(2, policy.retention.ms)
            try st.bind(3, policy.lockTimeout.ms)
            guard try st.step(), let fields = st.int64s(0, count: Int(IDEM_STATUSES_FIELDS)) else {
                known = false
                return
            }
            for (status, count) in zip(statusOrder, fields) where count > 0 {
                s.statuses[status] = Int(count)
                s.tokens += Int(count)
            }
            if fields[6] != 0 { known = false }
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
