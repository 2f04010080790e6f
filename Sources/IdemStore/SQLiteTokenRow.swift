import Foundation
import IdemCore

/// How an `idem_tokens` row is read, and the change each event makes to it: the same fold as `Ledger`, in SQL.
///
/// The writer and the bulk loader both go through `record`, which inserts the event and applies it in the caller's
/// transaction, so the token table always equals the fold of the event table (status, version, executions, and in
/// schema version 2 the counters: hits, mismatches, conflicts, reexecutions, admin events, last seen, the response's
/// status and the seqs of the current request and response).
enum SQLiteTokenRow {
    /// What the writer reads of a token row.
    struct Row {
        var record: TokenRecord
        var operation: String?
        var response: String?
    }

    /// Reads the row of one token, or nil when the store has none.
    static func read(tenant: String, token: String, db: SQLiteConnection) throws -> Row? {
        let s = try db.cached("""
            SELECT operation, fingerprint, status, created_at, expires_at, locked_until, version, executions, response
            FROM idem_tokens WHERE tenant = ?1 AND token = ?2
            """)
        defer { s.reset() }
        try s.bind(1, tenant)
        try s.bind(2, token)
        guard try s.step() else { return nil }
        guard let statusText = s.text(2), let stored = StoredStatus(rawValue: statusText) else {
            throw StoreError.io(path: db.path, why: "token \(tenant)/\(token) has an unknown status")
        }
        var record = TokenRecord(
            tenantID: 0, operationID: 0, token: token, fingerprint: Fingerprint(s.text(1) ?? ""), stored: stored,
            createdAt: Instant(ms: s.int64(3) ?? 0), expiresAt: Instant(ms: s.int64(4) ?? Int64.max),
            lockedUntil: Instant(ms: s.int64(5) ?? Int64.max))
        record.version = Int32(clamping: s.int64(6) ?? 0)
        record.executions = Int32(clamping: s.int64(7) ?? 0)
        return Row(record: record, operation: s.text(0), response: s.text(8))
    }

    /// Starts a new execution: inserts the row, or resets it to in_progress with the new request and deadlines.
    /// An event without an operation or fingerprint keeps the row's (as the fold does). ?9: the event's seq,
    /// ?10: 1 for a reexecution.
    private static let executeSQL = """
        INSERT INTO idem_tokens (tenant, token, operation, fingerprint, status, created_at, updated_at,
            expires_at, locked_until, version, executions, request, response, error,
            reexecutions, last_seen, request_seq)
        VALUES (?1, ?2, ?3, ?4, 'in_progress', ?5, ?5, ?6, ?7, 1, 1, ?8, NULL, NULL, ?10, ?5, ?9)
        ON CONFLICT (tenant, token) DO UPDATE SET
            operation = coalesce(excluded.operation, operation), fingerprint = coalesce(excluded.fingerprint, fingerprint),
            status = 'in_progress', created_at = excluded.created_at, updated_at = excluded.updated_at,
            expires_at = excluded.expires_at, locked_until = excluded.locked_until,
            version = version + 1, executions = executions + 1,
            request = excluded.request, response = NULL, error = NULL,
            reexecutions = reexecutions + excluded.reexecutions,
            last_seen = max(coalesce(last_seen, excluded.last_seen), excluded.last_seen),
            request_seq = excluded.request_seq, response_seq = NULL, response_status = NULL
        """

    /// A replayed, mismatched or conflicting request (?3 its outcome, ?4 its time): the version and that
    /// outcome's counter move, and the time last seen.
    private static let touchSQL = """
        UPDATE idem_tokens SET version = version + 1, hits = hits + (?3 = 'replayed'),
            mismatches = mismatches + (?3 = 'mismatch'), conflicts = conflicts + (?3 = 'conflict'),
            last_seen = max(coalesce(last_seen, ?4), ?4)
        WHERE tenant = ?1 AND token = ?2
        """

    /// The end of an execution: a new status, and for completed (?8 the HTTP status, ?9 the event's seq) the
    /// response, or for failed the error.
    private static let finishSQL = """
        UPDATE idem_tokens SET status = ?3, updated_at = ?4, response = ?5, error = ?6,
            expires_at = coalesce(?7, expires_at), version = version + 1,
            response_status = CASE WHEN ?3 = 'completed' THEN ?8 ELSE response_status END,
            response_seq = CASE WHEN ?3 = 'completed' THEN ?9 ELSE response_seq END
        WHERE tenant = ?1 AND token = ?2
        """

    private static let purgeSQL = """
        UPDATE idem_tokens SET status = 'purged', updated_at = ?3, version = version + 1,
            admin_events = admin_events + 1
        WHERE tenant = ?1 AND token = ?2
        """

    /// An admin replay: counted, nothing else changes.
    private static let replaySQL = "UPDATE idem_tokens SET admin_events = admin_events + 1 WHERE tenant = ?1 AND token = ?2"

    /// Applies the change `e` (recorded as `seq`) makes to its token's row.
    private static func apply(_ e: StoreEvent, seq: Int64, bodies: SQLiteEventRow.Bodies, db: SQLiteConnection) throws {
        switch e.kind {
        case .request where e.outcome?.executes == true:
            let s = try db.cached(executeSQL)
            try s.bind(1, e.tenant)
            try s.bind(2, e.token)
            try s.bind(3, e.operation)
            try s.bind(4, e.fingerprint?.description)
            try s.bind(5, e.at.ms)
            try s.bind(6, e.expiresAt?.ms)
            try s.bind(7, e.lockedUntil?.ms)
            try s.bind(8, bodies.request)
            try s.bind(9, seq)
            try s.bind(10, e.outcome == .reexecuted ? 1 : 0)
            try s.run()
        case .request:
            let s = try db.cached(touchSQL)
            try s.bind(1, e.tenant)
            try s.bind(2, e.token)
            try s.bind(3, (e.outcome ?? .replayed).rawValue)
            try s.bind(4, e.at.ms)
            try s.run()
        case .completed, .failed:
            let s = try db.cached(finishSQL)
            try s.bind(1, e.tenant)
            try s.bind(2, e.token)
            try s.bind(3, e.kind == .completed ? StoredStatus.completed.rawValue : StoredStatus.failed.rawValue)
            try s.bind(4, e.at.ms)
            try s.bind(5, bodies.response)
            try s.bind(6, e.error)
            try s.bind(7, e.expiresAt?.ms)
            try s.bind(8, e.responseStatus)
            try s.bind(9, seq)
            try s.run()
        case .purge:
            let s = try db.cached(purgeSQL)
            try s.bind(1, e.tenant)
            try s.bind(2, e.token)
            try s.bind(3, e.at.ms)
            try s.run()
        case .replay:
            let s = try db.cached(replaySQL)
            try s.bind(1, e.tenant)
            try s.bind(2, e.token)
            try s.run()
        }
    }

    /// Inserts the event row and applies it to its token row (call inside a transaction); returns the new `seq`.
    @discardableResult
    static func record(_ e: StoreEvent, db: SQLiteConnection, json: SQLiteJSON) throws -> Int64 {
        let bodies = SQLiteEventRow.Bodies(e, json: json)
        let s = try db.cached(SQLiteEventRow.insertSQL)
        try SQLiteEventRow.bind(e, bodies: bodies, to: s)
        try s.run()
        let seq = db.lastInsertRowID
        try apply(e, seq: seq, bodies: bodies, db: db)
        return seq
    }
}
