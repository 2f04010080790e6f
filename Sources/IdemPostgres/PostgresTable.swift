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
    /// The fingerprint column is an `int8` hash (see `selectList`).
    let hashedFingerprint: Bool
    /// The first read's rows, being read on another thread.
    private var stream: PostgresCopyStream?

    /// Connects and checks the mapping; a missing table or column, or a column of another type, is one line.
    public init(config: PostgresConfig) throws {
        self.config = config
        connection = try PGConnection(conninfo: config.conninfo)
        columnTypes = try PostgresSchemaCheck.check(config, on: connection)
        idCount = config.preset.rowIDCols.count
        selectList = PostgresTable.selectList(config.preset, types: columnTypes)
        hashedFingerprint = PostgresTable.hashedFingerprint(config.preset, types: columnTypes)
    }

    deinit { stream?.cancel() }

    private static func q(_ c: String) -> String { PGConnection.quoteIdent(c) }
    /// A time column as it is: read in binary, a `timestamptz` is 8 bytes of microseconds, which costs the
    /// server nothing to send (`date_part` and text output took most of its time) and reads exactly.
    private static func ts(_ c: String?) -> String { c.map { q($0) } ?? "NULL::int8" }

    /// True when the fingerprint column of `selectList` is an `int8` hash printed as hex on our side.
    static func hashedFingerprint(_ p: PostgresPreset, types: [String: String]) -> Bool {
        if p.fingerprintCol != nil { return false }
        if case .jsonStatus = p.status { return false }
        if let body = p.requestBodyCol, types[body] == "jsonb" { return true }
        return false
    }

    /// id columns..., key, tenant, created, locked, expires, finished, status, response status, operation,
    /// method, path, fingerprint, xmin; read in binary (`PostgresRow.decode`).
    static func selectList(_ p: PostgresPreset, types: [String: String]) -> String {
        var cols = p.rowIDCols.map { "\(q($0))::text" }
        cols.append("\(q(p.keyCol))::text")
        cols.append(p.tenantCol.map { "\(q($0))::text" } ?? "''::text")
        cols += [ts(p.createdCol), ts(p.lockedCol), ts(p.expiresCol), ts(p.finishedCol)]
        switch p.status {
        case .recoveryPoint(let c, _, _), .valueMap(let c, _): cols.append("\(q(c))::text")
        case .completedAt(let c): cols.append("CASE WHEN \(q(c)) IS NULL THEN 'f' ELSE 't' END::text")
        case .jsonStatus(let c): cols.append("substring(\(q(c))::text from '\"status\"\\s*:\\s*\"([A-Z_]+)\"')")
        }
        cols.append(p.responseStatusCol.map { "\(q($0))::int8" } ?? "NULL::int8")
        cols.append(p.operationCol.map { "\(q($0))::text" } ?? "NULL::text")
        cols.append(p.requestMethodCol.map { "\(q($0))::text" } ?? "NULL::text")
        cols.append(p.requestPathCol.map { "\(q($0))::text" } ?? "NULL::text")
        if let f = p.fingerprintCol {
            cols.append("\(q(f))::text")
        } else if case .jsonStatus(let c) = p.status {
            cols.append("substring(\(q(c))::text from '\"fingerPrint\"\\s*:\\s*\"([^\"]*)\"')")
        } else if hashedFingerprint(p, types: types) {
            // Postgres' own hash of the jsonb value (no text rendering of every body: md5 of its text took most
            // of the read's server time), sent as 8 bytes and printed as `to_hex(h >> 4)` by PGBinary.hashHex.
            cols.append("jsonb_hash_extended(\(q(p.requestBodyCol!)), 0)")
        } else if let body = p.requestBodyCol {
            cols.append("md5(\(q(body))::text)")
        } else {
            cols.append("NULL::text")
        }
        cols.append("xmin")
        return cols.joined(separator: ", ")
    }

    /// Decodes row `r` of a binary result of `selectList`.
    func decode(_ rows: PGRows, _ r: Int, hexCache: PGHexCache? = nil) throws -> PostgresRow {
        try PostgresRow.decode(PGResultFields(rows: rows, row: r), idCount: idCount, preset: config.preset,
                               hashedFingerprint: hashedFingerprint, hexCache: hexCache)
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

    /// Starts the first read of the whole table (inside the transaction `beginReadOnly` opened): pages of
    /// `page` rows by row id, each one `COPY (SELECT ... WHERE (id) > (last) ORDER BY id LIMIT page) TO STDOUT
    /// (FORMAT binary)`, read on a thread of their own so the server sends while the caller decodes;
    /// `nextChunk` hands them over.
    public func startFirstRead(chunkRows: Int = 4096) {
        stream?.cancel()
        let ids = config.preset.rowIDCols.map { "src." + PostgresTable.q($0) }.joined(separator: ", ")
        let select = "SELECT \(selectList) FROM \(config.qualifiedTable) AS src"
        let page = config.pageSize, connection = self.connection
        let fresh = PostgresCopyStream(connection: connection, idCount: idCount, pageRows: page,
                                       chunkRows: max(1, min(chunkRows, page))) { after in
            // Qualified: a bare name in ORDER BY means the output column first, and the select list's `id::text`
            // is named `id` too, which would sort the pages as text.
            var sql = select
            if let after {
                sql += " WHERE (\(ids)) > (\(try after.map { try connection.literal($0) }.joined(separator: ", ")))"
            }
            return "COPY (\(sql) ORDER BY \(ids) LIMIT \(page)) TO STDOUT (FORMAT binary)"
        }
        stream = fresh
        fresh.start()
    }

    /// The next rows of the first read, nil once it is all read; throws its error (the server gone, a timeout).
    public func nextChunk() throws -> PostgresCopyStream.Chunk? {
        guard let stream else { return nil }
        do {
            guard let chunk = try stream.next() else {
                self.stream = nil
                return nil
            }
            return chunk
        } catch {
            self.stream = nil
            throw error
        }
    }

    /// Abandons a first read under way (its thread cancels the COPY and ends).
    public func cancelFirstRead() {
        stream?.cancel()
        stream?.waitForEnd()
        stream = nil
    }

    /// Rows whose version is `since` or newer (every row written since that snapshot, and a few seen already).
    public func changed(since xmin: Int64) throws -> PGRows {
        try connection.query("SELECT \(selectList) FROM \(config.qualifiedTable) WHERE xmin::text::int8 >= $1",
                             [String(xmin)], binary: true)
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
        let rows = try readOnly { try connection.query(sql, PostgresTable.split(rowID), binary: true) }
        return rows.count > 0 ? (rows, 0) : nil
    }

    /// A row id back into its column values.
    static func split(_ rowID: String) -> [String?] {
        rowID.split(separator: "\u{1F}", omittingEmptySubsequences: false).map { String($0) }
    }
}
