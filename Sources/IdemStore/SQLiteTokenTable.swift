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

    /// The token table of the store at `path` (all of it, or up to `until`), or nil when only the fold can give it
    /// (see the type's note).
    ///
    /// On a large store both connections of `EventScan.run` read token rows, each half of the rowids into its own
    /// part of one records buffer (no copy of the records to join them), and each counts half of the events; the
    /// second connection reads its rows only when its snapshot is the first one's, else the first reads them after
    /// its own.
    public static func read(path: String, until: Instant?, policy: Policy,
                            splitAbove: Int64 = SQLiteSummary.splitAbove) throws -> SQLiteTokenTable? {
        let db = try SQLiteSchema.open(path: path, mode: .readOnly, busyTimeout: SQLiteSchema.defaultBusyTimeout)
        guard db.schemaVersion >= 2 else { return nil }
        // Every page of the tables is read next: in file order if they are not cached (`SQLiteReadAhead`).
        SQLiteReadAhead.start(path: path)
        try db.execute("BEGIN")
        defer { try? db.execute("COMMIT") }
        let maxRowid = try db.scalarInt("SELECT max(rowid) FROM idem_tokens") ?? 0
        let minRowid = try db.scalarInt("SELECT min(rowid) FROM idem_tokens") ?? 1
        // Rowids 1...max (what SQLite gives rows inserted without one, and rows are never deleted): at most max
        // rows, the first half of the rowids at most half of them. The buffer is sized for max rows (room a sparse
        // table leaves unused is never touched, so never resident); other rowids, or more than 2^25 of them: one
        // connection reads every row, into a buffer of the rows' count.
        let halves = minRowid >= 1 && maxRowid >= 2 && maxRowid <= 1 << 25
        let capacity = halves ? Int(maxRowid) : Int(try db.scalarInt("SELECT count(*) FROM idem_tokens") ?? 0)
        let middle = halves ? maxRowid / 2 : Int64.max
        var mine = RowPart()
        var scanned: (scan: EventScan, upTo: Int64)?
        let records = try [TokenRecord](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            scanned = try readInHalves(db, path: path, policy: policy, middle: halves ? middle : nil,
                                       splitAbove: splitAbove, into: RecordsOut(base: buffer.baseAddress, capacity: capacity),
                                       part: &mine, initialized: &initialized)
        }
        guard let (events, upTo) = scanned, mine.readable else { return nil }
        if let until, let newest = events.newest, newest > until.ms { return nil }
        let t = events.totals
        // version: every event but admin replays; executions: executed + reexecuted; then the counters.
        let expected = [t[0] - t[5], t[6] + t[10], t[7], t[8], t[9], t[10], t[4] + t[5]]
        guard mine.sums == expected else { return nil }
        let ledger = Ledger(policy: policy, records: records, tenants: mine.tenants, operations: mine.operations,
                            counts: events.counts, lastEventAt: events.newest.map(Instant.init(ms:)))
        return SQLiteTokenTable(ledger: ledger, lastSeq: upTo)
    }

    /// The event counts and the token rows on both connections (see `read`): the rows of rowids up to `middle`
    /// here, the others on the second connection, or here after the first half when it did not read them (another
    /// snapshot, a small store, `middle` nil). On return, error or not, `out` holds `part.count` records from its
    /// start (`initialized`), and `part` the string tables and sums of them all.
    private static func readInHalves(_ db: SQLiteConnection, path: String, policy: Policy, middle: Int64?,
                                     splitAbove: Int64, into out: RecordsOut, part mine: inout RowPart,
                                     initialized: inout Int) throws -> (scan: EventScan, upTo: Int64)? {
        let bound = middle ?? Int64.max
        let theirStart = middle.map { Int(min($0, Int64(out.capacity))) } ?? out.capacity
        let theirs = Locked(RowPart())
        defer {
            // Both parts are read (or failed) by now; the second one's records move down after the first's.
            var t = theirs.value
            if t.count > 0, let base = out.base {
                if t.readable && mine.readable {
                    (base + mine.count).moveInitialize(from: base + theirStart, count: t.count)
                    mine.join(&t, records: base + mine.count)
                } else {
                    (base + theirStart).deinitialize(count: t.count)
                    mine.readable = false
                }
            } else if t.done {
                mine.readable = mine.readable && t.readable
            }
            initialized = mine.count
        }
        var there: (@Sendable (SQLiteConnection, Bool) throws -> Void)?
        if let middle {
            there = { other, sameSnapshot in
                guard sameSnapshot else { return }
                var part = RowPart()
                part.done = true
                part.deferTokens = true
                let rows = out.capacity - theirStart
                part.tokenBytes.reserveCapacity(rows * 40)
                part.tokenEnds.reserveCapacity(rows)
                defer { theirs.withLock { $0 = part } }
                try readRows(other, policy: policy, rowids: (middle + 1)...Int64.max, into: out, from: theirStart,
                             capacity: out.capacity - theirStart, part: &part)
            }
        }
        guard let result = try EventScan.run(path: path, db: db, otherShare: 50, splitAbove: splitAbove, here: {
            try readRows(db, policy: policy, rowids: Int64.min...bound, into: out, from: 0, capacity: theirStart,
                         part: &mine)
        }, there: there) else { return nil }
        if !theirs.value.done, mine.readable, bound < Int64.max {
            try readRows(db, policy: policy, rowids: (bound + 1)...Int64.max, into: out, from: mine.count,
                         capacity: out.capacity - mine.count, part: &mine)
        }
        return result
    }

    /// Where a connection's rows go: records initialized in place, each connection in its own range.
    private struct RecordsOut: @unchecked Sendable {
        let base: UnsafeMutablePointer<TokenRecord>?
        let capacity: Int
    }

    /// What one connection read of the token rows: its records' string tables, the column sums `read` checks,
    /// how many records it initialized, and whether every row could be a record.
    private struct RowPart: Sendable {
        var tenants = Interner()
        var operations = Interner()
        var sums = [Int64](repeating: 0, count: 7)
        var count = 0
        var readable = true
        /// The other connection read its rows (it does only on the same snapshot).
        var done = false
        /// With `deferTokens`: the records' tokens as UTF-8, one after the other, and where each ends; the records
        /// hold empty tokens until `join` makes them Strings on the first thread. With one malloc arena (see
        /// idemtop's main.swift) two threads making a String a row took turns on its lock: the second connection
        /// then ran at about half speed.
        var deferTokens = false
        var tokenBytes: [UInt8] = []
        var tokenEnds: [Int] = []

        /// Takes in `other`, whose `other.count` records now start at `records` (after this part's): their
        /// tenant and operation ids are made this part's.
        mutating func join(_ other: inout RowPart, records: UnsafeMutablePointer<TokenRecord>) {
            let tenantIDs = other.tenants.strings.map { tenants.id($0) }
            let operationIDs = other.operations.strings.map { operations.id($0) }
            other.tokenBytes.withUnsafeBufferPointer { bytes in
                var start = 0
                for i in 0..<other.count {
                    records[i].tenantID = tenantIDs[Int(records[i].tenantID)]
                    records[i].operationID = operationIDs[Int(records[i].operationID)]
                    if other.deferTokens {
                        let end = other.tokenEnds[i]
                        records[i].token = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]),
                                                  as: UTF8.self)
                        start = end
                    }
                }
            }
            for k in sums.indices { sums[k] += other.sums[k] }
            count += other.count
            other.count = 0
        }
    }

    /// Reads the token rows of `rowids` into `out` from position `from` on (at most `capacity` of them), adding to
    /// `part` their strings, the columns `read` checks, and their count; `part.readable` false when a row cannot
    /// be a record (a NULL key, an unknown status, a count that is not an integer) or there are more rows than room.
    private static func readRows(_ db: SQLiteConnection, policy: Policy, rowids: ClosedRange<Int64>,
                                 into out: RecordsOut, from: Int, capacity: Int, part: inout RowPart) throws {
        let s = try db.prepare(rowsSQL + " WHERE rowid BETWEEN ?1 AND ?2")
        try s.bind(1, rowids.lowerBound)
        try s.bind(2, rowids.upperBound)
        // Rows come in rowid order, so a tenant or operation is usually the one of the row before.
        var lastTenant = (text: "", id: Int32(-1))
        var lastOperation = (text: "", id: Int32(-1))
        func same(_ bytes: UnsafeBufferPointer<UInt8>?, _ text: String) -> Bool {
            guard let bytes else { return false }
            var t = text
            return t.withUTF8 { $0.elementsEqual(bytes) }
        }
        var room = capacity
        while try s.step() {
            guard room > 0, let base = out.base else {
                part.readable = false
                return
            }
            let token: String
            if part.deferTokens {
                let copied = s.withBytes(1) { bytes -> Bool in
                    guard let bytes else { return false }
                    part.tokenBytes.append(contentsOf: bytes)
                    return true
                }
                guard copied else {
                    part.readable = false
                    return
                }
                part.tokenEnds.append(part.tokenBytes.count)
                token = ""
            } else {
                guard let text = s.text(1) else {
                    part.readable = false
                    return
                }
                token = text
            }
            guard !s.isNull(0),
                  let statusText = s.text(4), let stored = StoredStatus(rawValue: statusText),
                  let version = s.int64(9), let executions = s.int64(10), let hits = s.int64(11),
                  let mismatches = s.int64(12), let conflicts = s.int64(13), let reexecutions = s.int64(14),
                  let admin = s.int64(15) else {
                part.readable = false
                return
            }
            let tenantID: Int32
            if lastTenant.id >= 0, s.withBytes(0, { same($0, lastTenant.text) }) {
                tenantID = lastTenant.id
            } else {
                let text = s.text(0) ?? ""
                tenantID = part.tenants.id(text)
                lastTenant = (text, tenantID)
            }
            let operationID: Int32
            if lastOperation.id >= 0, s.withBytes(2, { same($0, lastOperation.text) }) {
                operationID = lastOperation.id
            } else {
                let text = s.text(2) ?? ""
                operationID = part.operations.id(text)
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
            (base + from + (capacity - room)).initialize(to: r)
            part.count += 1
            room -= 1
            part.sums[0] += version
            part.sums[1] += executions
            part.sums[2] += hits
            part.sums[3] += mismatches
            part.sums[4] += conflicts
            part.sums[5] += reexecutions
            part.sums[6] += admin
        }
    }
}
