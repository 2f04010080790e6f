import Foundation

/// The idemtop SQLite schema (version 2): its DDL, opening a file as an idemtop store, and moving a version 1 file
/// to version 2 on its first write (never on a read).
///
/// Described for writers in other languages in README.md ("The SQLite format"); keep the two in step.
public enum SQLiteSchema {
    /// The value of `idem_meta.app` in every idemtop store.
    public static let app = "idemtop"
    /// The schema version this code writes (`idem_meta.schema_version`); it reads this one and `oldestRead`.
    public static let version = 2
    /// The oldest version read: version 1 lacks the per-token counters, so its token table is the fold's to make.
    public static let oldestRead = 1
    /// How long a statement waits for another connection's write lock by default, in milliseconds.
    public static let defaultBusyTimeout: Int32 = 5000

    /// The tables and index of a new store, and its `idem_meta` rows.
    public static let ddl = """
        CREATE TABLE idem_meta (
            key   TEXT PRIMARY KEY NOT NULL,
            value TEXT
        );
        INSERT INTO idem_meta (key, value) VALUES ('app', 'idemtop'), ('schema_version', '2');
        CREATE TABLE idem_tokens (
            tenant       TEXT NOT NULL,
            token        TEXT NOT NULL,
            operation    TEXT,
            fingerprint  TEXT,
            status       TEXT NOT NULL CHECK (status IN ('in_progress', 'completed', 'failed', 'purged')),
            created_at   INTEGER,
            updated_at   INTEGER,
            expires_at   INTEGER,
            locked_until INTEGER,
            version      INTEGER NOT NULL,
            executions   INTEGER NOT NULL,
            request      TEXT,
            response     TEXT,
            error        TEXT,
            hits            INTEGER NOT NULL DEFAULT 0,
            mismatches      INTEGER NOT NULL DEFAULT 0,
            conflicts       INTEGER NOT NULL DEFAULT 0,
            reexecutions    INTEGER NOT NULL DEFAULT 0,
            admin_events    INTEGER NOT NULL DEFAULT 0,
            last_seen       INTEGER,
            response_status INTEGER,
            request_seq     INTEGER,
            response_seq    INTEGER,
            PRIMARY KEY (tenant, token)
        );
        CREATE TABLE idem_events (
            seq                INTEGER PRIMARY KEY AUTOINCREMENT,
            at                 INTEGER NOT NULL,
            kind               TEXT NOT NULL,
            tenant             TEXT NOT NULL,
            token              TEXT NOT NULL,
            operation          TEXT,
            fingerprint        TEXT,
            stored_fingerprint TEXT,
            outcome            TEXT,
            expires_at         INTEGER,
            locked_until       INTEGER,
            response_status    INTEGER,
            error              TEXT,
            actor              TEXT,
            reason             TEXT,
            saw_status         TEXT,
            saw_version        INTEGER,
            target             TEXT,
            result_status      INTEGER,
            request            TEXT,
            response           TEXT
        );
        CREATE INDEX idem_events_by_token ON idem_events (tenant, token, seq);
        """

    /// The columns version 2 adds to `idem_tokens` (at its end, as `ALTER TABLE ADD COLUMN` puts them): what the
    /// fold keeps per token beyond version 1's row, kept by the writer so that a token table is one `SELECT`.
    static let counterColumns = [
        "hits            INTEGER NOT NULL DEFAULT 0",
        "mismatches      INTEGER NOT NULL DEFAULT 0",
        "conflicts       INTEGER NOT NULL DEFAULT 0",
        "reexecutions    INTEGER NOT NULL DEFAULT 0",
        "admin_events    INTEGER NOT NULL DEFAULT 0",
        "last_seen       INTEGER",
        "response_status INTEGER",
        "request_seq     INTEGER",
        "response_seq    INTEGER",
    ]

    /// Fills version 2's counters of every token row from `idem_events`, in one pass grouped by token: what a
    /// version 1 file gets on its first write (`migrate`). The same values the writer keeps (`SQLiteTokenRow`) and
    /// the fold computes (`Ledger.fold`): `last_seen` is the latest request or, before any, the first event; the
    /// response is the latest completion after the latest execution.
    static let backfillSQL = """
        UPDATE idem_tokens SET hits = a.hits, mismatches = a.mismatches, conflicts = a.conflicts,
            reexecutions = a.reexecutions, admin_events = a.admin_events,
            last_seen = max((SELECT at FROM idem_events WHERE seq = a.first_seq), coalesce(a.last_request, 0)),
            request_seq = a.request_seq,
            response_seq = CASE WHEN a.response_seq > coalesce(a.request_seq, 0) THEN a.response_seq END,
            response_status = CASE WHEN a.response_seq > coalesce(a.request_seq, 0)
                THEN (SELECT response_status FROM idem_events WHERE seq = a.response_seq) END
        FROM (SELECT tenant, token, sum(outcome = 'replayed') AS hits, sum(outcome = 'mismatch') AS mismatches,
                     sum(outcome = 'conflict') AS conflicts, sum(outcome = 'reexecuted') AS reexecutions,
                     sum(kind IN ('purge', 'replay')) AS admin_events, min(seq) AS first_seq,
                     max(CASE WHEN kind = 'request' THEN at END) AS last_request,
                     max(CASE WHEN outcome IN ('executed', 'reexecuted') THEN seq END) AS request_seq,
                     max(CASE WHEN kind = 'completed' THEN seq END) AS response_seq
              FROM idem_events GROUP BY tenant, token) AS a
        WHERE idem_tokens.tenant = a.tenant AND idem_tokens.token = a.token
        """

    /// What a file holds, judged before anything is written to it.
    enum Contents: Equatable {
        /// An idemtop store of this schema version.
        case store(version: Int)
        /// A database with no tables at all (a new or 0-byte file).
        case empty
        /// Something else; the reason is one short phrase.
        case foreign(String)
    }

    /// Opens `path` as an idemtop store, creating the schema when `mode` allows and the file is new or empty.
    ///
    /// Checks the file before any write: another application's database (no `idem_meta` table), or a file with bytes
    /// but no tables (a damaged store), throws `StoreError.notAStore` and is left exactly as it was; only a missing
    /// or 0-byte file is made a store. A writable connection is switched to WAL with
    /// `synchronous=NORMAL`; a read-only one changes nothing. A read-only open of a WAL store that SQLite cannot
    /// make a `-shm` file for (a directory this process cannot write, no writer running) falls back to an immutable
    /// snapshot (`SQLiteConnection.Access.snapshot`).
    public static func open(path: String, mode: OpenMode,
                            busyTimeout: Int32 = defaultBusyTimeout) throws -> SQLiteConnection {
        let access: SQLiteConnection.Access
        switch mode {
        case .readOnly: access = .readOnly
        case .readWrite(let create): access = create ? .create : .readWrite
        }
        var connection = try SQLiteConnection(path: path, access: access, busyTimeout: busyTimeout)
        let contents: Contents
        do {
            contents = try inspect(connection)
        } catch StoreError.readOnly where access == .readOnly {
            // A WAL store whose -shm file does not exist and cannot be made (the directory is not writable, no
            // writer is running): read it as an immutable snapshot instead.
            connection = try SQLiteConnection(path: path, access: .snapshot, busyTimeout: busyTimeout)
            contents = try inspect(connection)
        }
        switch contents {
        case .store(let found):
            connection.schemaVersion = found
            if found < version, access == .readWrite || access == .create {
                try migrate(connection)
            }
        case .foreign(let why):
            throw StoreError.notAStore(path: path, why: why)
        case .empty:
            guard access == .create else { throw StoreError.notAStore(path: path, why: "no idem_meta table") }
            try connection.transaction(immediate: true) {
                // Another process may have created the store, or written something else, since we looked.
                switch try inspect(connection) {
                case .store(let found):
                    connection.schemaVersion = found
                    return
                case .foreign(let why): throw StoreError.notAStore(path: path, why: why)
                case .empty:
                    // Only a missing or 0-byte file becomes a store. Bytes with no tables in them (a store cut
                    // short, a damaged header) are kept as they are: starting from nothing would execute every retry
                    // again. Under the write lock no other writer can be creating it meanwhile.
                    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
                    if let size, size > 0 {
                        throw StoreError.notAStore(path: path, why: "\(size) bytes with no tables: damaged, or not "
                                                   + "a SQLite database; it is left as it is")
                    }
                    try connection.execute(ddl)
                    connection.schemaVersion = version
                }
            }
        }
        if access == .readWrite || access == .create {
            try connection.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
        }
        return connection
    }

    /// Looks at the schema without writing: is this an idemtop store of a version we read?
    static func inspect(_ connection: SQLiteConnection) throws -> Contents {
        // The first read of a file that is not SQLite fails here with SQLITE_NOTADB.
        let objects = try connection.scalarInt("SELECT count(*) FROM sqlite_master") ?? 0
        if objects == 0 { return .empty }
        let hasMeta = try connection.scalarInt(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'idem_meta'") ?? 0
        guard hasMeta > 0 else { return .foreign("no idem_meta table") }
        let statement = try connection.cached("SELECT key, value FROM idem_meta WHERE key IN ('app', 'schema_version')")
        defer { statement.reset() }
        var meta: [String: String] = [:]
        while try statement.step() {
            if let key = statement.text(0) { meta[key] = statement.text(1) ?? "" }
        }
        guard meta["app"] == app else { return .foreign("idem_meta has app=\(meta["app"] ?? "nothing"), not idemtop") }
        guard let text = meta["schema_version"], let found = Int(text) else {
            return .foreign("idem_meta has no schema_version")
        }
        guard (oldestRead...version).contains(found) else {
            return .foreign("schema_version \(found); this idemtop reads versions \(oldestRead) to \(version)")
        }
        return .store(version: found)
    }

    /// Moves a version 1 store to version 2 in one `BEGIN IMMEDIATE` transaction: the counter columns added and
    /// filled from `idem_events`, then `schema_version` set. Another writer may have done it meanwhile: the version
    /// is read again under the lock. Only a writing connection calls this; a read never changes a file.
    static func migrate(_ connection: SQLiteConnection) throws {
        try connection.transaction(immediate: true) {
            guard case .store(let found) = try inspect(connection), found < version else { return }
            for column in counterColumns {
                try connection.execute("ALTER TABLE idem_tokens ADD COLUMN " + column)
            }
            try connection.execute(backfillSQL)
            try connection.execute("UPDATE idem_meta SET value = '\(version)' WHERE key = 'schema_version'")
        }
        connection.schemaVersion = version
    }
}
