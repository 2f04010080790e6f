import CSQLite
import Foundation

/// One open SQLite database handle, with a cache of prepared statements and errors mapped to `StoreError`.
///
/// Owns its `sqlite3*`: statements are finalized and the handle closed in `deinit`. Not thread-safe; use it from one
/// task at a time (each reader and writer owns its own connection).
public final class SQLiteConnection {
    /// How a connection opens its file.
    public enum Access: Sendable, Hashable {
        /// `file:PATH?mode=ro` with `SQLITE_OPEN_READONLY`: never writes, locks for writing, or creates.
        case readOnly
        /// `file:PATH?mode=ro&immutable=1`: reads a file as it is now, taking no locks and making no `-shm` file.
        /// For a WAL store in a directory this process cannot write; it sees no later changes.
        case snapshot
        /// Reads and writes an existing file.
        case readWrite
        /// Reads and writes, creating the file when it does not exist.
        case create
    }

    /// The path as given, used in every error message.
    public let path: String
    public let access: Access
    let handle: OpaquePointer
    /// The store's `idem_meta.schema_version`, once `SQLiteSchema.open` has checked it (0 before).
    public internal(set) var schemaVersion = 0
    private var cache: [String: SQLiteStatement] = [:]
    private var tallyRegistered = false

    /// Opens `path`; checks first that it exists (unless creating) and is a regular file (not a directory, FIFO or device).
    ///
    /// - Parameter busyTimeout: how long a statement waits for another connection's lock before failing with
    ///   `StoreError.locked`, in milliseconds.
    public init(path: String, access: Access, busyTimeout: Int32 = 5000) throws {
        self.path = path
        self.access = access
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        if exists && isDirectory.boolValue { throw StoreError.notAStore(path: path, why: "it is a directory") }
        // SQLite would block opening a FIFO and read a device forever: refuse anything but a regular file first.
        if exists { try RegularFile.refuseSpecial(path) }
        if !exists && access != .create { throw StoreError.notFound(path) }

        let name: String
        var flags = SQLITE_OPEN_NOMUTEX
        switch access {
        case .readOnly, .snapshot:
            // An absolute path gets an empty authority (`file:///x`), so a path starting with `//` stays a path.
            name = (path.hasPrefix("/") ? "file://" : "file:") + SQLiteConnection.uriEscaped(path)
                + (access == .snapshot ? "?mode=ro&immutable=1" : "?mode=ro")
            flags |= SQLITE_OPEN_READONLY | SQLITE_OPEN_URI
        case .readWrite:
            name = path
            flags |= SQLITE_OPEN_READWRITE
        case .create:
            name = path
            flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        }
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(name, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let error = SQLiteConnection.mapError(code: rc, message: db.map { String(cString: sqlite3_errmsg($0)) },
                                                  path: path)
            sqlite3_close_v2(db)
            throw error
        }
        // SQLite quietly opens a write-protected file read-only even when asked to write: say so now, not on the
        // first write.
        if (access == .readWrite || access == .create) && sqlite3_db_readonly(db, "main") == 1 {
            sqlite3_close_v2(db)
            throw StoreError.io(path: path, why: "the file is not writable")
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, busyTimeout)
    }

    /// Makes the aggregates `idem_tally` and `idem_statuses` (CSQLite/shim.h) callable on this connection, once.
    func registerTally() throws {
        guard !tallyRegistered else { return }
        for register in [idem_register_tally, idem_register_statuses] {
            let rc = register(handle)
            guard rc == SQLITE_OK else {
                throw SQLiteConnection.mapError(code: rc, message: String(cString: sqlite3_errmsg(handle)), path: path)
            }
        }
        tallyRegistered = true
    }

    deinit {
        for statement in cache.values { statement.finalize() }
        cache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements that return no rows we need (DDL, PRAGMA assignments, BEGIN/COMMIT).
    public func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        if rc != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(message)
            throw SQLiteConnection.mapError(code: rc, message: text, path: path)
        }
    }

    /// A new statement the caller owns (finalized when it is released).
    public func prepare(_ sql: String) throws -> SQLiteStatement {
        var raw: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, 0, &raw, nil)
        guard rc == SQLITE_OK, let raw else { throw error(rc) }
        return SQLiteStatement(handle: raw, db: handle, path: path, owned: true)
    }

    /// A statement from this connection's cache, reset and with its bindings cleared: for the hot paths.
    public func cached(_ sql: String) throws -> SQLiteStatement {
        if let statement = cache[sql] {
            statement.reset()
            return statement
        }
        var raw: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &raw, nil)
        guard rc == SQLITE_OK, let raw else { throw error(rc) }
        let statement = SQLiteStatement(handle: raw, db: handle, path: path, owned: false)
        cache[sql] = statement
        return statement
    }

    /// The first column of the first row of `sql` as an integer (nil when no row or NULL).
    public func scalarInt(_ sql: String) throws -> Int64? {
        let statement = try cached(sql)
        defer { statement.reset() }
        guard try statement.step() else { return nil }
        return statement.int64(0)
    }

    /// Runs `body` in a transaction: `BEGIN IMMEDIATE` takes the write lock first (waiting up to the busy timeout),
    /// so a read-decide-write inside cannot race another writer. Rolls back when `body` throws.
    public func transaction<T>(immediate: Bool = true, _ body: () throws -> T) throws -> T {
        try execute(immediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            if sqlite3_get_autocommit(handle) == 0 { _ = sqlite3_exec(handle, "ROLLBACK", nil, nil, nil) }
            throw error
        }
    }

    /// The rowid of the last row inserted on this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// The `StoreError` for a result code, with SQLite's message for this connection.
    func error(_ code: Int32) -> StoreError {
        SQLiteConnection.mapError(code: code, message: String(cString: sqlite3_errmsg(handle)), path: path)
    }

    /// Maps a SQLite result code to one clear `StoreError` line.
    static func mapError(code: Int32, message: String?, path: String) -> StoreError {
        let detail = message ?? String(cString: sqlite3_errstr(code))
        switch code & 0xff {
        case SQLITE_BUSY, SQLITE_LOCKED: return .locked(path: path)
        case SQLITE_NOTADB: return .notAStore(path: path, why: "not a SQLite database")
        case SQLITE_CORRUPT: return .io(path: path, why: "the database is corrupt (\(detail))")
        case SQLITE_READONLY: return .readOnly("\(path): \(detail)")
        case SQLITE_CANTOPEN: return .io(path: path, why: "cannot open the database (\(detail))")
        case SQLITE_FULL: return .io(path: path, why: "the disk is full")
        default: return .io(path: path, why: "SQLite error \(code): \(detail)")
        }
    }

    /// Escapes the characters a `file:` URI gives meaning to, so any path opens as itself.
    static func uriEscaped(_ path: String) -> String {
        var out = ""
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "%"), UInt8(ascii: "?"), UInt8(ascii: "#"), 0..<0x20, 0x7f...:
                out += String(format: "%%%02X", byte)
            default:
                out.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return out
    }
}
