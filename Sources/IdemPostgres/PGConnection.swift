import CLibpq
import Foundation

/// One libpq connection: connect with a conninfo string (so PGPASSWORD, ~/.pgpass, PGSERVICE, sslmode and the rest
/// of libpq's rules apply as in psql), run parameterised statements, reconnect after the server restarted.
///
/// Owns its `PGconn`; use it from one thread at a time.
public final class PGConnection {
    private var conn: OpaquePointer?
    public let conninfo: String

    /// Connects; throws `PostgresError.connect` with libpq's message on one line.
    public init(conninfo: String) throws {
        self.conninfo = conninfo
        conn = try PGConnection.open(conninfo)
    }

    deinit { PQfinish(conn) }

    private static func open(_ conninfo: String) throws -> OpaquePointer {
        guard let c = PQconnectdb(conninfo) else { throw PostgresError.connect("libpq could not allocate a connection") }
        guard PQstatus(c) == CONNECTION_OK else {
            let why = PostgresError.oneLine(String(cString: PQerrorMessage(c)))
            PQfinish(c)
            throw PostgresError.connect(why)
        }
        // Notices (a warning about a transaction) would go to stderr and into the dashboard's screen.
        PQsetNoticeProcessor(c, { _, _ in }, nil)
        return c
    }

    /// True while the connection is usable.
    public var isOK: Bool { conn.map { PQstatus($0) == CONNECTION_OK } ?? false }

    /// Drops the connection and makes a new one with the same conninfo.
    public func reconnect() throws {
        PQfinish(conn)
        conn = nil
        conn = try PGConnection.open(conninfo)
    }

    /// The server's process id for this connection (what `pg_terminate_backend` takes).
    public var backendPID: Int32 { conn.map { PQbackendPID($0) } ?? 0 }

    /// Runs `sql` with text parameters `$1...` (nil is NULL) and returns its rows; `binary` asks for the values
    /// in Postgres' binary form (an `int8` as 8 bytes, a `timestamptz` as microseconds, text as it is).
    @discardableResult
    public func query(_ sql: String, _ params: [String?] = [], binary: Bool = false) throws -> PGRows {
        guard let conn else { throw PostgresError.connectionLost("not connected") }
        let result: OpaquePointer?
        if binary {
            let copies = params.map { $0.map { strdup($0) } ?? nil }
            defer { for p in copies { free(p) } }
            var pointers = copies.map { UnsafePointer<CChar>($0) }
            result = pointers.withUnsafeMutableBufferPointer { buf in
                PQexecParams(conn, sql, Int32(params.count), nil, buf.baseAddress, nil, nil, 1)
            }
        } else if params.isEmpty {
            result = PQexec(conn, sql)
        } else {
            let copies = params.map { $0.map { strdup($0) } ?? nil }
            defer { for p in copies { free(p) } }
            var pointers = copies.map { UnsafePointer<CChar>($0) }
            result = pointers.withUnsafeMutableBufferPointer { buf in
                PQexecParams(conn, sql, Int32(params.count), nil, buf.baseAddress, nil, nil, 0)
            }
        }
        return try checked(result)
    }

    /// Starts `COPY (...) TO STDOUT`: the rows then come one message each from `copyRow`.
    public func startCopyOut(_ sql: String) throws {
        guard let conn else { throw PostgresError.connectionLost("not connected") }
        guard let result = PQexec(conn, sql) else { throw lost() }
        if PQresultStatus(result) == PGRES_COPY_OUT {
            PQclear(result)
            return
        }
        _ = try checked(result)
        throw PostgresError.query(sqlState: "", message: "COPY did not start")
    }

    /// The next row of a `COPY TO STDOUT` as libpq's buffer (the caller passes it to `PQfreemem`), or nil once
    /// the copy ended well; throws the copy's error (a statement timeout, a broken connection) otherwise.
    public func copyRow() throws -> (UnsafeMutablePointer<CChar>, Int)? {
        guard let conn else { throw PostgresError.connectionLost("not connected") }
        var buffer: UnsafeMutablePointer<CChar>?
        let n = PQgetCopyData(conn, &buffer, 0)
        if n > 0, let buffer { return (buffer, Int(n)) }
        if n == -1 {
            // The end: the COPY's own result says whether it ended well.
            var last: OpaquePointer?
            while let r = PQgetResult(conn) {
                if let previous = last { PQclear(previous) }
                last = r
            }
            _ = try checked(last)
            return nil
        }
        throw lost()
    }

    /// Asks the server to cancel the statement running on this connection (a read being abandoned).
    public func cancelRunning() {
        guard let conn, let cancel = PQgetCancel(conn) else { return }
        var message = [CChar](repeating: 0, count: 256)
        _ = PQcancel(cancel, &message, Int32(message.count))
        PQfreeCancel(cancel)
    }

    /// A result's rows, or its error as a `PostgresError`.
    private func checked(_ result: OpaquePointer?) throws -> PGRows {
        guard let conn, let result else { throw lost() }
        let status = PQresultStatus(result)
        guard status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK else {
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) } ?? ""
            let message = PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
                ?? String(cString: PQresultErrorMessage(result))
            PQclear(result)
            if PQstatus(conn) != CONNECTION_OK { throw lost() }
            throw PostgresError.query(sqlState: state, message: PostgresError.oneLine(message))
        }
        return PGRows(result)
    }

    /// The error for a connection that broke: the server's last words, on one line.
    private func lost() -> PostgresError {
        let why = conn.map { PostgresError.oneLine(String(cString: PQerrorMessage($0))) } ?? ""
        return .connectionLost(why.isEmpty ? "the server closed the connection" : why)
    }

    /// `text` as an SQL string literal, quoted by libpq for this connection's encoding (COPY takes no parameters).
    public func literal(_ text: String) throws -> String {
        guard let conn else { throw PostgresError.connectionLost("not connected") }
        guard let quoted = text.withCString({ PQescapeLiteral(conn, $0, text.utf8.count) }) else {
            throw PostgresError.query(sqlState: "", message: PostgresError.oneLine(String(cString: PQerrorMessage(conn))))
        }
        defer { PQfreemem(quoted) }
        return String(cString: quoted)
    }

    /// Quotes an identifier (a table or column name) for SQL.
    public static func quoteIdent(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// The rows of one result, read in place: values are libpq's text, read without copying until asked for.
public final class PGRows {
    private let result: OpaquePointer
    public let count: Int
    public let columns: Int

    init(_ result: OpaquePointer) {
        self.result = result
        count = Int(PQntuples(result))
        columns = Int(PQnfields(result))
    }

    deinit { PQclear(result) }

    /// Rows changed by an UPDATE or DELETE.
    public var affected: Int { Int(String(cString: PQcmdTuples(result))) ?? 0 }

    public func isNull(_ row: Int, _ col: Int) -> Bool { PQgetisnull(result, Int32(row), Int32(col)) != 0 }

    /// The value as text, nil for NULL.
    public func string(_ row: Int, _ col: Int) -> String? {
        if isNull(row, col) { return nil }
        let p = PQgetvalue(result, Int32(row), Int32(col))
        let n = Int(PQgetlength(result, Int32(row), Int32(col)))
        return p.map { $0.withMemoryRebound(to: UInt8.self, capacity: n) {
            String(decoding: UnsafeBufferPointer(start: $0, count: n), as: UTF8.self)
        } }
    }

    /// The raw bytes of a value (binary results), nil for NULL.
    public func bytes(_ row: Int, _ col: Int) -> UnsafeRawBufferPointer? {
        if isNull(row, col) { return nil }
        guard let p = PQgetvalue(result, Int32(row), Int32(col)) else { return nil }
        return UnsafeRawBufferPointer(start: p, count: Int(PQgetlength(result, Int32(row), Int32(col))))
    }

    /// The value as a whole number (parsed in place), nil for NULL or anything else.
    public func int64(_ row: Int, _ col: Int) -> Int64? {
        if isNull(row, col) { return nil }
        guard let p = PQgetvalue(result, Int32(row), Int32(col)) else { return nil }
        let n = Int(PQgetlength(result, Int32(row), Int32(col)))
        var i = 0, negative = false, value: Int64 = 0
        if n > 0, p[0] == 45 { negative = true; i = 1 }
        guard i < n else { return nil }
        while i < n {
            let d = Int64(p[i]) - 48
            guard d >= 0, d <= 9 else { return nil }
            value = value &* 10 &+ d
            i += 1
        }
        return negative ? -value : value
    }
}
