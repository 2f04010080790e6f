import CSQLite

/// A prepared statement: bind parameters (1-based), step through rows, read columns (0-based).
///
/// Statements from `SQLiteConnection.cached` belong to the connection and are finalized by it; those from `prepare`
/// are finalized when released. Column readers are valid only while the current row is.
public final class SQLiteStatement {
    let handle: OpaquePointer
    private let db: OpaquePointer
    private let path: String
    private let owned: Bool
    private var finalized = false

    init(handle: OpaquePointer, db: OpaquePointer, path: String, owned: Bool) {
        self.handle = handle
        self.db = db
        self.path = path
        self.owned = owned
    }

    deinit { if owned { finalize() } }

    func finalize() {
        guard !finalized else { return }
        finalized = true
        sqlite3_finalize(handle)
    }

    /// Makes the statement ready to run again and clears its bindings.
    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    // MARK: binding

    /// Binds an integer, or NULL for nil.
    public func bind(_ index: Int32, _ value: Int64?) throws {
        guard let value else { return try bindNull(index) }
        try check(sqlite3_bind_int64(handle, index, value))
    }

    /// Binds an `Int`, or NULL for nil.
    public func bind(_ index: Int32, _ value: Int?) throws {
        try bind(index, value.map(Int64.init))
    }

    /// Binds text (copied by SQLite), or NULL for nil.
    public func bind(_ index: Int32, _ value: String?) throws {
        guard var value else { return try bindNull(index) }
        let rc = value.withUTF8 { bytes -> Int32 in
            // An empty buffer may have no base address, which SQLite would bind as NULL: bind a literal "" instead.
            guard let base = bytes.baseAddress else {
                return sqlite3_bind_text(handle, index, "", 0, idem_sqlite_transient())
            }
            return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                sqlite3_bind_text(handle, index, $0, Int32(bytes.count), idem_sqlite_transient())
            }
        }
        try check(rc)
    }

    /// Binds NULL.
    public func bindNull(_ index: Int32) throws {
        try check(sqlite3_bind_null(handle, index))
    }

    // MARK: stepping

    /// Steps once: true when a row is ready, false when done. Errors map to `StoreError` (busy -> `.locked`).
    @discardableResult
    public func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let message = String(cString: sqlite3_errmsg(db))
            sqlite3_reset(handle)
            throw SQLiteConnection.mapError(code: rc, message: message, path: path)
        }
    }

    /// Runs a statement that returns no rows, then resets it.
    public func run() throws {
        defer { reset() }
        try step()
    }

    // MARK: columns

    /// True when the column is NULL.
    public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    /// True when the column holds an integer (what every time and count column must hold).
    public func isInteger(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_INTEGER }

    /// The column as an integer; nil when NULL or not an integer.
    public func int64(_ column: Int32) -> Int64? {
        isInteger(column) ? sqlite3_column_int64(handle, column) : nil
    }

    /// The column as text; nil when NULL. Numbers are returned in SQLite's text form.
    public func text(_ column: Int32) -> String? {
        withBytes(column) { $0.map { String(decoding: $0, as: UTF8.self) } }
    }

    /// Calls `body` with the column's UTF-8 bytes (nil when NULL) without making a String.
    public func withBytes<T>(_ column: Int32, _ body: (UnsafeBufferPointer<UInt8>?) throws -> T) rethrows -> T {
        if isNull(column) { return try body(nil) }
        let start = sqlite3_column_text(handle, column)
        let count = Int(sqlite3_column_bytes(handle, column))
        return try body(UnsafeBufferPointer(start: start, count: count))
    }

    /// Calls `body` with the column's bytes as a blob (nil when NULL).
    public func withBlob<T>(_ column: Int32, _ body: (UnsafeRawBufferPointer?) throws -> T) rethrows -> T {
        if isNull(column) { return try body(nil) }
        let start = sqlite3_column_blob(handle, column)
        let count = Int(sqlite3_column_bytes(handle, column))
        return try body(UnsafeRawBufferPointer(start: start, count: count))
    }

    /// A blob column holding exactly `count` native int64s (what the shim's aggregates return), or nil.
    func int64s(_ column: Int32, count: Int) -> [Int64]? {
        withBlob(column) { raw -> [Int64]? in
            guard let raw, raw.count == count * 8 else { return nil }
            return (0..<count).map { raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self) }
        }
    }

    /// The number of columns in a result row.
    public var columnCount: Int32 { sqlite3_column_count(handle) }

    private func check(_ rc: Int32) throws {
        if rc != SQLITE_OK {
            throw SQLiteConnection.mapError(code: rc, message: String(cString: sqlite3_errmsg(db)), path: path)
        }
    }
}
