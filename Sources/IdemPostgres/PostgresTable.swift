import Foundation
import IdemCore

/// An idempotency-keys table opened through its mapping: the columns checked against `information_schema` at open,
/// and the statements idemtop runs on it (pages by key, changed rows by `xmin`, the key set, one row's bodies).
///
/// Every read runs inside `BEGIN ... READ ONLY` with `SET LOCAL statement_timeout`, so idemtop never writes through
/// a reader and never runs a statement longer than the timeout.
public final class PostgresTable {
    public let config: PostgresConfig
    public let connection: PGConnection
    /// The `SELECT` list every read uses, in `PostgresTable.Columns` order.
    let selectList: String
    let idCount: Int
    /// The table's column types by name, as `information_schema` gave them at open.
    let columnTypes: [String: String]
    /// The next page of the first read, being read on another thread.
    private var prefetch: PageFetch?

    /// Connects and checks the mapping; a missing table or column, or a column of another type, is one line.
    public init(config: PostgresConfig) throws {
        self.config = config
        connection = try PGConnection(conninfo: config.conninfo)
        columnTypes = try PostgresSchemaCheck.check(config, on: connection)
        idCount = config.preset.rowIDCols.count
        selectList = PostgresTable.selectList(config.preset, types: columnTypes)
    }

    private static func q(_ c: String) -> String { PGConnection.quoteIdent(c) }
    /// Epoch milliseconds: `date_part` is float8 arithmetic, several times cheaper on the server than
    /// `extract`'s numeric (microseconds survive the double to well under a millisecond).
    private static func ms(_ c: String?) -> String {
        c.map { "floor(date_part('epoch', \(q($0))) * 1000)::int8" } ?? "NULL::int8"
    }

    /// id columns..., key, tenant, created, locked, expires, finished, status, response status, operation,
    /// method, path, fingerprint, xmin.
    static func selectList(_ p: PostgresPreset, types: [String: String]) -> String {
        var cols = p.rowIDCols.map { "\(q($0))::text" }
        cols.append("\(q(p.keyCol))::text")
        cols.append(p.tenantCol.map { "\(q($0))::text" } ?? "''")
        cols += [ms(p.createdCol), ms(p.lockedCol), ms(p.expiresCol), ms(p.finishedCol)]
        switch p.status {
        case .recoveryPoint(let c, _, _), .valueMap(let c, _): cols.append("\(q(c))::text")
        case .completedAt(let c): cols.append("CASE WHEN \(q(c)) IS NULL THEN 'f' ELSE 't' END")
        case .jsonStatus(let c): cols.append("substring(\(q(c))::text from '\"status\"\\s*:\\s*\"([A-Z_]+)\"')")
        }
        cols.append(p.responseStatusCol.map { "\(q($0))::int8" } ?? "NULL::int8")
        cols.append(p.operationCol.map { "\(q($0))::text" } ?? "NULL")
        cols.append(p.requestMethodCol.map { "\(q($0))::text" } ?? "NULL")
        cols.append(p.requestPathCol.map { "\(q($0))::text" } ?? "NULL")
        if let f = p.fingerprintCol {
            cols.append("\(q(f))::text")
        } else if case .jsonStatus(let c) = p.status {
            cols.append("substring(\(q(c))::text from '\"fingerPrint\"\\s*:\\s*\"([^\"]*)\"')")
        } else if let body = p.requestBodyCol, types[body] == "jsonb" {
            // Postgres' own hash of the jsonb value: no text rendering of every body (md5 of its text took most
            // of the read's server time).
            // 60 bits in at most 15 hex digits: a Swift small string, no allocation for each of a million rows.
            cols.append("to_hex(jsonb_hash_extended(\(q(body)), 0) >> 4)")
        } else if let body = p.requestBodyCol {
            cols.append("md5(\(q(body))::text)")
        } else {
            cols.append("NULL")
        }
        cols.append("xmin::text::int8")
        return cols.joined(separator: ", ")
    }

    /// Runs `body` inside a read-only transaction with the statement timeout; rolls back on the way out.
    public func readOnly<T>(_ body: () throws -> T) throws -> T {
        try connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        do {
            try connection.query("SET LOCAL statement_timeout = \(config.statementTimeout.ms)")
            let value = try body()
            try connection.query("COMMIT")
            return value
        } catch {
            if connection.isOK { _ = try? connection.query("ROLLBACK") }
            throw error
        }
    }

    /// Opens a read-only transaction that stays open across calls (the first pass reads every page from one
    /// snapshot); `endTransaction` closes it.
    public func beginReadOnly() throws {
        try connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try connection.query("SET LOCAL statement_timeout = \(config.statementTimeout.ms)")
    }

    public func endTransaction() throws { try connection.query("COMMIT") }

    /// The lower 32 bits of the transaction snapshot's xmin: every transaction older than it has ended, so a later
    /// look for `xmin >= it` misses nothing committed after this one.
    public func snapshotXmin() throws -> Int64 {
        try connection.query("SELECT (pg_snapshot_xmin(pg_current_snapshot())::text::int8 % 4294967296)").int64(0, 0) ?? 0
    }

    /// Rows after `after` (the last row id of the page before, nil for the first), in id order.
    public func page(after: [String]?) throws -> PGRows {
        let (sql, params) = pageQuery(after: after)
        return try connection.query(sql, params)
    }

    /// Sends the page after `after` and reads its rows on a thread of its own, so the server streams the next page
    /// while the caller decodes this one (left unread, a page stops in the socket's buffer); `receivePage` waits
    /// for it. The connection is not touched meanwhile.
    public func sendPage(after: [String]?) throws {
        let (sql, params) = pageQuery(after: after)
        try connection.send(sql, params)
        let fetch = PageFetch(connection)
        prefetch = fetch
        Thread { fetch.run() }.start()
    }

    public func receivePage() throws -> PGRows {
        guard let fetch = prefetch else { throw PostgresError.connectionLost("no page was sent") }
        prefetch = nil
        return try fetch.wait()
    }

    /// One page being read on another thread.
    ///
    /// `@unchecked Sendable`: the connection is used only by the fetching thread between `sendPage` and
    /// `receivePage` (the owner does not touch it meanwhile), and `result` is written once before `done` is
    /// signalled and read once after waiting on it, so the semaphore orders every access.
    final class PageFetch: @unchecked Sendable {
        private let connection: PGConnection
        private var result: Result<PGRows, any Error>?
        private let done = DispatchSemaphore(value: 0)

        init(_ connection: PGConnection) { self.connection = connection }

        func run() {
            result = Result { try connection.receive() }
            done.signal()
        }

        func wait() throws -> PGRows {
            done.wait()
            guard let result else { throw PostgresError.connectionLost("the page read ended without rows") }
            return try result.get()
        }
    }

    private func pageQuery(after: [String]?) -> (String, [String?]) {
        // Qualified: a bare name in ORDER BY means the output column first, and the select list's `id::text` is
        // named `id` too, which would sort the pages as text.
        let ids = config.preset.rowIDCols.map { "src." + PostgresTable.q($0) }.joined(separator: ", ")
        var sql = "SELECT \(selectList) FROM \(config.qualifiedTable) AS src"
        if let after {
            let marks = (1...after.count).map { "$\($0)" }.joined(separator: ", ")
            sql += " WHERE (\(ids)) > (\(marks))"
        }
        sql += " ORDER BY \(ids) LIMIT \(config.pageSize)"
        return (sql, after ?? [])
    }

    /// Rows whose version is `since` or newer (every row written since that snapshot, and a few seen already).
    public func changed(since xmin: Int64) throws -> PGRows {
        try connection.query("SELECT \(selectList) FROM \(config.qualifiedTable) WHERE xmin::text::int8 >= $1",
                             [String(xmin)])
    }

    /// Every row's id, to find deletions by comparing key sets.
    public func rowIDs() throws -> Set<String> {
        let ids = config.preset.rowIDCols.map { "\(PostgresTable.q($0))::text" }.joined(separator: " || chr(31) || ")
        let rows = try connection.query("SELECT \(ids) FROM \(config.qualifiedTable)")
        var out = Set<String>(minimumCapacity: rows.count)
        for r in 0..<rows.count { out.insert(rows.string(r, 0) ?? "") }
        return out
    }

    /// `n_tup_ins + n_tup_upd + n_tup_del` and `n_tup_del` from `pg_stat_user_tables` (read outside a
    /// transaction, so fresh each time): when neither moved, a poll is skipped.
    public func changeCounters() throws -> (writes: Int64, deletes: Int64) {
        let r = try connection.query(
            "SELECT n_tup_ins + n_tup_upd + n_tup_del, n_tup_del FROM pg_stat_user_tables WHERE relid = $1::regclass",
            [config.qualifiedTable])
        guard r.count > 0 else { return (-1, -1) }
        return (r.int64(0, 0) ?? -1, r.int64(0, 1) ?? -1)
    }

    /// The WHERE clause naming one row by its id values `$1...`.
    func whereRow(offset: Int = 0) -> String {
        config.preset.rowIDCols.enumerated()
            .map { "\(PostgresTable.q($0.element))::text = $\($0.offset + 1 + offset)" }.joined(separator: " AND ")
    }

    /// One row with its request and response bodies as text, nil when it is gone.
    public func bodies(rowID: String) throws -> (row: PGRows, index: Int)? {
        let p = config.preset
        // bytea (idempotence4j's result) as text with its unprintable bytes escaped, not as hex.
        let extra = [p.requestBodyCol, p.responseBodyCol].map { c in
            c.map { columnTypes[$0] == "bytea" ? "encode(\(PostgresTable.q($0)), 'escape')" : "\(PostgresTable.q($0))::text" }
                ?? "NULL"
        }
        let sql = "SELECT \(selectList), \(extra.joined(separator: ", ")) FROM \(config.qualifiedTable) WHERE \(whereRow())"
        let rows = try readOnly { try connection.query(sql, PostgresTable.split(rowID)) }
        return rows.count > 0 ? (rows, 0) : nil
    }

    /// A row id back into its column values.
    static func split(_ rowID: String) -> [String?] {
        rowID.split(separator: "\u{1F}", omittingEmptySubsequences: false).map { String($0) }
    }
}
