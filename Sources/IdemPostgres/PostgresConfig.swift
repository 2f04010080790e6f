import Foundation
import IdemCore

/// Everything a `postgres://...?table=NAME&preset=P` location says, split in two: libpq's part (the URI with
/// libpq's own query options, such as `sslmode` or `application_name`), passed to `PQconnectdb` as it is, and
/// idemtop's options, which never reach libpq.
///
/// Because libpq reads the URI, its usual rules hold: a password from `PGPASSWORD` or `~/.pgpass`, `PGSERVICE`,
/// `PGSSLMODE`, a unix socket through `host=/path`. See docs/postgres.md.
public struct PostgresConfig: Sendable, Hashable {
    /// The URI for libpq, without idemtop's options.
    public var conninfo: String
    public var table: String
    public var schema = "public"
    public var preset: PostgresPreset
    /// The local JSON-lines journal that purge and replay admin events are appended to.
    public var auditPath: String?
    /// How often to look for changes after the first read (default 1 s).
    public var pollInterval = TimeSpan.seconds(1)
    /// How long one statement may run (`SET LOCAL statement_timeout`, default 30 s).
    public var statementTimeout = TimeSpan.seconds(30)
    /// How long a purge waits for a row lock another transaction holds (`SET LOCAL lock_timeout`, default 2 s).
    public var lockTimeout = TimeSpan.seconds(2)
    /// Rows per page of the first read, one `COPY` statement each (default 50000: few round trips; memory is
    /// bounded by the chunks of 4096 rows the read is handed over in, not by the page).
    public var pageSize = 50_000
    /// Even when `pg_stat_user_tables` shows no change, look anyway this often (default 60 s).
    public var rescanInterval = TimeSpan.seconds(60)
    /// What purging a stuck token does: release its lock (the preset's own unlock, rocket-rides) or delete the row.
    public var stuckPurge: PostgresPreset.StuckPurge

    /// idemtop's own query options; everything else is libpq's.
    public static let optionNames: Set<String> = PostgresPreset.mappingOptionNames.union([
        "table", "schema", "preset", "audit", "poll", "timeout", "lock_wait", "page", "rescan",
        "stuck_purge",
    ])

    /// Parses `postgres://...` or `postgresql://...`.
    public init(url text: String) throws {
        guard let schemeEnd = text.range(of: "://"),
              ["postgres", "postgresql"].contains(String(text[..<schemeEnd.lowerBound])) else {
            throw PostgresError.usage("'\(Sanitizer.visible(text))' is not a postgres://... location")
        }
        let parts = text.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var libpq: [String] = []
        var ours: [(String, String)] = []
        if parts.count > 1 {
            for pair in parts[1].split(separator: "&") where !pair.isEmpty {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = String(kv[0]).removingPercentEncoding ?? String(kv[0])
                if PostgresConfig.optionNames.contains(name) {
                    let value = kv.count > 1 ? (String(kv[1]).removingPercentEncoding ?? String(kv[1])) : ""
                    ours.append((name, value))
                } else {
                    libpq.append(String(pair))
                }
            }
        }
        conninfo = String(parts[0]) + (libpq.isEmpty ? "" : "?" + libpq.joined(separator: "&"))
        let options = Dictionary(ours, uniquingKeysWith: { _, last in last })
        guard let table = options["table"], !table.isEmpty else {
            throw PostgresError.usage("a postgres location names its table: add ?table=NAME (and preset=...)")
        }
        self.table = table
        let presetName = options["preset"] ?? "rocket-rides"
        preset = try PostgresPreset.named(presetName, options: options)
        stuckPurge = preset.stuckPurge
        if let v = options["stuck_purge"] {
            guard let mode = PostgresPreset.StuckPurge(rawValue: v) else {
                throw PostgresError.usage("postgres option stuck_purge= is release or delete, not '\(Sanitizer.visible(v))'")
            }
            guard mode == .delete || preset.lockedCol != nil else {
                throw PostgresError.usage("stuck_purge=release needs a lock column (locked_col=) to clear")
            }
            stuckPurge = mode
        }
        if let s = options["schema"] {
            guard !s.isEmpty else { throw PostgresError.usage("postgres option schema= needs a value") }
            schema = s
        }
        if let a = options["audit"] {
            guard !a.isEmpty else { throw PostgresError.usage("postgres option audit= needs a path") }
            auditPath = a
        }
        func span(_ name: String) throws -> TimeSpan? {
            guard let v = options[name] else { return nil }
            guard let s = TimeSpan(parsing: v), s.ms > 0 else {
                throw PostgresError.usage("postgres option \(name)= wants a duration such as 2s or 500ms, not '\(Sanitizer.visible(v))'")
            }
            return s
        }
        pollInterval = try span("poll") ?? pollInterval
        statementTimeout = try span("timeout") ?? statementTimeout
        lockTimeout = try span("lock_wait") ?? lockTimeout
        rescanInterval = try span("rescan") ?? rescanInterval
        if let p = options["page"] {
            guard let n = Int(p), n > 0 else {
                throw PostgresError.usage("postgres option page= wants a positive number, not '\(Sanitizer.visible(p))'")
            }
            pageSize = n
        }
    }

    /// Whether a purge of a token shown with `status` releases its lock (clears the lock column, keeps the row)
    /// instead of deleting the row: what `PostgresAdmin` does and the purge's wording says.
    public func releasesLock(onPurgeOf status: TokenStatus) -> Bool {
        stuckPurge == .release && status == .stuck && preset.lockedCol != nil
    }

    /// `schema.table`, quoted for SQL.
    public var qualifiedTable: String { PGConnection.quoteIdent(schema) + "." + PGConnection.quoteIdent(table) }

    /// What the header calls the store.
    public var displayName: String { schema == "public" ? table : "\(schema).\(table)" }
}
