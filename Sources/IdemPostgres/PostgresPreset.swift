import IdemCore

/// How one table's columns map onto idemtop's record: which column is the token, the tenant, the times, the
/// response, and how the status is told, for the schemas real code writes (docs/postgres.md cites each source).
public struct PostgresPreset: Sendable, Hashable {
    /// How a row's stored status is told.
    public enum StatusRule: Sendable, Hashable {
        /// Brandur Leach's recovery points (rocket-rides, Medusa): completed at `finished`, else in progress while
        /// the lock column is set. `unlockedFails`: an unfinished row with no lock was unlocked after an error
        /// (rocket-rides' `atomic_phase` does that), so it shows failed; otherwise its lock counts from creation.
        case recoveryPoint(column: String, finished: String, unlockedFails: Bool)
        /// Completed once this timestamp column is set (idempotence4j's `completed_at`).
        case completedAt(column: String)
        /// node-idempotency: the `status` inside a JSON text column, `IN_PROGRESS` or `COMPLETE`.
        case jsonStatus(column: String)
        /// A column whose values map to statuses (`custom`: `status_map=done:completed,busy:in_progress`).
        case valueMap(column: String, map: [String: StoredStatus])
    }

    /// How the token, tenant and operation come out of the row.
    public enum KeyRule: Sendable, Hashable {
        /// The key column is the token.
        case plain
        /// node-idempotency's `PREFIX:METHOD:PATH:KEY`: the operation is `METHOD PATH`, the token the key.
        case nodeIdempotency
    }

    /// What purging a stuck token does.
    public enum StuckPurge: String, Sendable, Hashable {
        /// `UPDATE ... SET locked_col = NULL`: the service's own unlock (rocket-rides' `atomic_phase` after an
        /// error), so the client's retry takes the key and resumes at its recovery point.
        case release
        /// `DELETE`: the retry starts from nothing.
        case delete
    }

    public var name: String
    public var keyCol: String
    public var keyRule: KeyRule = .plain
    public var tenantCol: String?
    /// The columns that identify a row (its primary key), in the order pages are read and purges aim.
    public var rowIDCols: [String]
    public var status: StatusRule
    public var createdCol: String
    public var lockedCol: String?
    public var expiresCol: String?
    /// When the work last ran or finished, for dating a completion first seen (idempotence4j `completed_at`).
    public var finishedCol: String?
    public var operationCol: String?
    public var requestMethodCol: String?
    public var requestPathCol: String?
    public var requestBodyCol: String?
    public var responseStatusCol: String?
    public var responseBodyCol: String?
    /// A column holding a payload hash; without one, the md5 of the request body column when there is one.
    public var fingerprintCol: String?
    /// How long a lock holds before another request may take the key over (rocket-rides 90 s, Medusa 1 s).
    public var lockTimeout: TimeSpan?
    /// How long a row lives when the table has no expiry column (rocket-rides' reaper: 72 h after creation).
    public var retention: TimeSpan?
    /// What purging a stuck token does (docs/postgres.md "Purge" says why per preset).
    public var stuckPurge: StuckPurge = .delete

    /// The names a location's options may set (the `custom` mapping and overrides of a preset's timings).
    public static let mappingOptionNames: Set<String> = [
        "key_col", "tenant_col", "id_col", "status_col", "status_map", "created_col", "locked_col", "expires_col",
        "finished_col", "operation_col", "request_method_col", "request_path_col", "request_body_col",
        "response_status_col", "response_body_col", "fingerprint_col", "lock_timeout", "retention",
    ]

    public static let names = ["rocket-rides", "medusa", "idempotence4j", "node-idempotency", "custom"]

    /// brandur/rocket-rides-atomic `schema.sql`, `api.rb` (IDEMPOTENCY_KEY_LOCK_TIMEOUT = 90), the reaper's 72 h.
    public static let rocketRides = PostgresPreset(
        name: "rocket-rides", keyCol: "idempotency_key", tenantCol: "user_id", rowIDCols: ["id"],
        status: .recoveryPoint(column: "recovery_point", finished: "finished", unlockedFails: true),
        createdCol: "created_at", lockedCol: "locked_at", finishedCol: "last_run_at",
        requestMethodCol: "request_method", requestPathCol: "request_path", requestBodyCol: "request_params",
        responseStatusCol: "response_code", responseBodyCol: "response_body",
        lockTimeout: .seconds(90), retention: .hours(72), stuckPurge: .release)

    /// Medusa v1 `models/idempotency-key.ts` and `services/idempotency-key.ts` (KEY_LOCKED_TIMEOUT = 1000 ms).
    public static let medusa = PostgresPreset(
        name: "medusa", keyCol: "idempotency_key", rowIDCols: ["id"],
        status: .recoveryPoint(column: "recovery_point", finished: "finished", unlockedFails: false),
        createdCol: "created_at", lockedCol: "locked_at",
        requestMethodCol: "request_method", requestPathCol: "request_path", requestBodyCol: "request_params",
        responseStatusCol: "response_code", responseBodyCol: "response_body", lockTimeout: TimeSpan(ms: 1000))

    /// transferwise/idempotence4j's Postgres migration `V20200610120500__add_idempotent_action.sql`.
    public static let idempotence4j = PostgresPreset(
        name: "idempotence4j", keyCol: "key", tenantCol: "client", rowIDCols: ["key", "type", "client"],
        status: .completedAt(column: "completed_at"), createdCol: "created_at", finishedCol: "completed_at",
        operationCol: "type", responseBodyCol: "result")

    /// mahendraHegde/node-idempotency `storage-adapter-postgres/src/adapter-postgres.ts`.
    public static let nodeIdempotency = PostgresPreset(
        name: "node-idempotency", keyCol: "key", keyRule: .nodeIdempotency, rowIDCols: ["key"],
        status: .jsonStatus(column: "data"), createdCol: "created_at", expiresCol: "expires_at",
        responseBodyCol: "data")

    /// The preset `name`, with the location's mapping options applied over it.
    public static func named(_ name: String, options: [String: String]) throws -> PostgresPreset {
        var p: PostgresPreset
        switch name {
        case "rocket-rides": p = .rocketRides
        case "medusa": p = .medusa
        case "idempotence4j": p = .idempotence4j
        case "node-idempotency": p = .nodeIdempotency
        case "custom":
            guard let key = options["key_col"], let created = options["created_col"],
                  let statusCol = options["status_col"], let mapText = options["status_map"] else {
                throw PostgresError.usage("preset=custom needs key_col=, created_col=, status_col= and status_map=VALUE:STATUS,...")
            }
            p = PostgresPreset(name: "custom", keyCol: key, rowIDCols: [key],
                               status: .valueMap(column: statusCol, map: try statusMap(mapText)), createdCol: created)
        default:
            throw PostgresError.usage("unknown postgres preset '\(Sanitizer.visible(name))' (known: \(names.joined(separator: ", ")))")
        }
        try p.apply(options)
        return p
    }

    /// `done:completed,busy:in_progress,err:failed`.
    static func statusMap(_ text: String) throws -> [String: StoredStatus] {
        var map: [String: StoredStatus] = [:]
        for pair in text.split(separator: ",") {
            let kv = pair.split(separator: ":", maxSplits: 1)
            guard kv.count == 2, let s = StoredStatus(rawValue: String(kv[1])), s != .purged else {
                throw PostgresError.usage("status_map= wants VALUE:STATUS pairs (in_progress, completed, failed), not '\(Sanitizer.visible(String(pair)))'")
            }
            map[String(kv[0])] = s
        }
        return map
    }

    /// Applies the mapping options a location gives.
    mutating func apply(_ options: [String: String]) throws {
        func col(_ name: String) throws -> String? {
            guard let v = options[name] else { return nil }
            guard !v.isEmpty else { throw PostgresError.usage("postgres option \(name)= needs a column name") }
            return v
        }
        if let v = try col("key_col") { keyCol = v; if name == "custom" { rowIDCols = [v] } }
        if let v = try col("tenant_col") { tenantCol = v; if name == "custom" { rowIDCols = [v, keyCol] } }
        if let v = try col("id_col") { rowIDCols = v.split(separator: ",").map(String.init) }
        if let v = try col("created_col") { createdCol = v }
        if let v = try col("locked_col") { lockedCol = v }
        if let v = try col("expires_col") { expiresCol = v }
        if let v = try col("finished_col") { finishedCol = v }
        if let v = try col("operation_col") { operationCol = v }
        if let v = try col("request_method_col") { requestMethodCol = v }
        if let v = try col("request_path_col") { requestPathCol = v }
        if let v = try col("request_body_col") { requestBodyCol = v }
        if let v = try col("response_status_col") { responseStatusCol = v }
        if let v = try col("response_body_col") { responseBodyCol = v }
        if let v = try col("fingerprint_col") { fingerprintCol = v }
        for (option, path) in [("lock_timeout", \PostgresPreset.lockTimeout), ("retention", \PostgresPreset.retention)] {
            guard let v = options[option] else { continue }
            guard let s = TimeSpan(parsing: v), s.ms > 0 else {
                throw PostgresError.usage("postgres option \(option)= wants a duration such as 90s or 72h, not '\(Sanitizer.visible(v))'")
            }
            self[keyPath: path] = s
        }
    }
}
