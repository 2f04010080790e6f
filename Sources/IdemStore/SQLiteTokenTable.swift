import Foundation
import IdemCore

/// Every token of a SQLite store read from `idem_tokens` (schema version 2 keeps each token's whole fold there),
/// with the totals from one pass of aggregates over `idem_events`: the ledger `list` and the dashboard show, made
/// without folding an event row in Swift.
///
/// It is the fold's ledger (the same records, counts and newest time; no event times, see
/// `Ledger.init(policy:records:tenants:operations:counts:lastEventAt:)`) whenever `read` answers one. It answers nil,
/// and the caller folds the events as before, when: the file is of schema version 1 (no counters; a read never
/// migrates it), an event row is malformed (the fold reports it), an event is newer than `until` (`--at`), or
/// the token rows do not add up to the events (their versions, executions, hits, mismatches, conflicts,
/// reexecutions and admin events against the counts of the same snapshot: a writer that did not keep them).
public struct SQLiteTokenTable {
    public var ledger: Ledger
    /// The highest event seq the table covers: a reader follows from there (`SQLiteReader.skip(to:)`).
    public var lastSeq: Int64

    static let rowsSQL = """
        SELECT tenant, token, operation, fingerprint, status, created_at, updated_at, expires_at, locked_until,
               version, executions, hits, mismatches, conflicts, reexecutions, admin_events, last_seen,
               response_status, request_seq, response_seq
        FROM idem_tokens
        """

    /// The token table of the store at `path` (all of it, or up to `until`), or nil when only the fold can give it (see the type's note).
    public static func read(path: String, until: Instant?, policy: Policy,
                            splitAbove: Int64 = SQLiteSummary.splitAbove) throws -> SQLiteTokenTable? {
        let db = try SQLiteSchema.open(path: path, mode: .readOnly, busyTimeout: SQLiteSchema.defaultBusyTimeout)
        guard db.schemaVersion >= 2 else { return nil }
        try db.execute("BEGIN")
        defer { try? db.execute("COMMIT") }
        var records: [TokenRecord] = []
        var tenants = Interner()
        var operations = Interner()
        var sums = [Int64](repeating: 0, count: 7)
        var readable = true
        // The rows are read here while the other connection counts most of the events.
        guard let (events, upTo) = try EventScan.run(path: path, db: db, otherShare: 85, splitAbove: splitAbove, here: {
            readable = try readRows(db, policy: policy, into: &records, tenants: &tenants, operations: &operations,
                                    sums: &sums)
        }) else { return nil }
        guard readable else { return nil }
        if let until, let newest = events.newest, newest > until.ms { return nil }
        let t = events.totals
        // version: every event but admin replays; executions: executed + reexecuted; then the counters.
        let expected = [t[0] - t[5], t[6] + t[10], t[7], t[8], t[9], t[10], t[4] + t[5]]
        guard sums == expected else { return nil }
        let ledger = Ledger(policy: policy, records: records, tenants: tenants, operations: operations,
                            counts: events.counts, lastEventAt: events.newest.map(Instant.init(ms:)))
        return SQLiteTokenTable(ledger: ledger, lastSeq: upTo)
    }

    /// Reads every token row into `records`, adding to `sums` the columns `read` checks; false when a row cannot
    /// be a record (a NULL key, an unknown status, a count that is not an integer).
    private static func readRows(_ db: SQLiteConnection, policy: Policy, into records: inout [TokenRecord],
                                 tenants: inout Interner, operations: inout Interner,
                                 sums: inout [Int64]) throws -> Bool {
        if let n = try db.scalarInt("SELECT max(rowid) FROM idem_tokens") { records.reserveCapacity(Int(n)) }
        let s = try db.prepare(rowsSQL)
        // Rows come in rowid order, so a tenant or operation is usually the one of the row before.
        var lastTenant = (text: "", id: Int32(-1))
        var lastOperation = (text: "", id: Int32(-1))
        func same(_ bytes: UnsafeBufferPointer<UInt8>?, _ text: String) -> Bool {
            guard let bytes else { return false }
            var t = text
            return t.withUTF8 { $0.elementsEqual(bytes) }
        }
        while try s.step() {
            guard let token = s.text(1), !s.isNull(0),
                  let statusText = s.text(4), let stored = StoredStatus(rawValue: statusText),
                  let version = s.int64(9), let executions = s.int64(10), let hits = s.int64(11),
                  let mismatches = s.int64(12), let conflicts = s.int64(13), let reexecutions = s.int64(14),
                  let admin = s.int64(15) else { return false }
            let tenantID: Int32
            if lastTenant.id >= 0, s.withBytes(0, { same($0, lastTenant.text) }) {
                tenantID = lastTenant.id
            } else {
                let text = s.text(0) ?? ""
                tenantID = tenants.id(text)
                lastTenant = (text, tenantID)
            }
            let operationID: Int32
            if lastOperation.id >= 0, s.withBytes(2, { same($0, lastOperation.text) }) {
                operationID = lastOperation.id
            } else {
                let text = s.text(2) ?? ""
                operationID = operations.id(text)
                lastOperation = (text, operationID)
            }
            let createdAt = Instant(ms: s.int64(5) ?? 0)
            var r = TokenRecord(
                tenantID: tenantID, operationID: operationID, token: token,
                fingerprint: s.withBytes(3) { $0.map(Fingerprint.init(bytes:)) } ?? .none, stored: stored,
                createdAt: createdAt, expiresAt: s.int64(7).map(Instant.init(ms:)) ?? createdAt + policy.retention,
                lockedUntil: s.int64(8).map(Instant.init(ms:)) ?? createdAt + policy.lockTimeout)
            r.updatedAt = s.int64(6).map(Instant.init(ms:)) ?? createdAt
            r.lastSeen = s.int64(16).map(Instant.init(ms:)) ?? createdAt
            r.version = Int32(clamping: version)
            r.executions = Int32(clamping: executions)
            r.hits = Int32(clamping: hits)
            r.mismatches = Int32(clamping: mismatches)
            r.conflicts = Int32(clamping: conflicts)
            r.reexecutions = Int32(clamping: reexecutions)
            r.adminEvents = Int32(clamping: admin)
            r.responseStatus = Int16(clamping: s.int64(17) ?? 0)
            r.requestRef = s.int64(18) ?? -1
            r.responseRef = s.int64(19) ?? -1
            records.append(r)
            sums[0] += version
            sums[1] += executions
            sums[2] += hits
            sums[3] += mismatches
            sums[4] += conflicts
            sums[5] += reexecutions
            sums[6] += admin
        }
        return true
    }
}
