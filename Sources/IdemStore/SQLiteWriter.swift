import Foundation
import IdemCore

/// The writer API over a SQLite store: each call is one `BEGIN IMMEDIATE` transaction that reads the token row,
/// decides with `Decision`, appends the event and updates the row.
///
/// SQLite's write lock makes the read-decide-write atomic across processes: two processes racing on one token
/// execute it once, the loser waiting up to the busy timeout for the lock and then seeing `conflict`.
public final class SQLiteWriter: TokenWriter {
    public let path: String
    public let policy: Policy
    private let clock: any Clock
    private let db: SQLiteConnection
    private let json = SQLiteJSON()

    /// Opens (and with `create`, makes) the store at `path` for writing.
    ///
    /// - Parameter busyTimeout: how long a call waits for another writer's lock before `StoreError.locked`, in ms.
    public init(path: String, policy: Policy = .standard, clock: any Clock = SystemClock(), create: Bool,
                busyTimeout: Int32 = SQLiteSchema.defaultBusyTimeout) throws {
        self.path = path
        self.policy = policy
        self.clock = clock
        db = try SQLiteSchema.open(path: path, mode: .readWrite(create: create), busyTimeout: busyTimeout)
    }

    /// What `begin` reads of a token row.
    private struct Row {
        var record: TokenRecord
        var operation: String?
        var response: String?
    }

    private func readRow(tenant: String, token: String) throws -> Row? {
        let s = try db.cached("""
            SELECT operation, fingerprint, status, created_at, expires_at, locked_until, version, executions, response
            FROM idem_tokens WHERE tenant = ?1 AND token = ?2
            """)
        defer { s.reset() }
        try s.bind(1, tenant)
        try s.bind(2, token)
        guard try s.step() else { return nil }
        guard let statusText = s.text(2), let stored = StoredStatus(rawValue: statusText) else {
            throw StoreError.io(path: path, why: "token \(tenant)/\(token) has an unknown status")
        }
        let createdAt = Instant(ms: s.int64(3) ?? 0)
        var record = TokenRecord(
            tenantID: 0, operationID: 0, token: token, fingerprint: Fingerprint(s.text(1) ?? ""), stored: stored,
            createdAt: createdAt, expiresAt: Instant(ms: s.int64(4) ?? Int64.max),
            lockedUntil: Instant(ms: s.int64(5) ?? Int64.max))
        record.version = Int32(clamping: s.int64(6) ?? 0)
        record.executions = Int32(clamping: s.int64(7) ?? 0)
        return Row(record: record, operation: s.text(0), response: s.text(8))
    }

    private func insert(_ event: StoreEvent) throws {
        let s = try db.cached(SQLiteEventRow.insertSQL)
        try SQLiteEventRow.bind(event, to: s, json: json)
        try s.run()
    }

    /// Decides and records a request with a token, atomically across processes.
    public func begin(tenant: String, token: String, operation: String, fingerprint: Fingerprint,
                      request: StoredRequest?) throws -> BeginResult {
        try db.transaction(immediate: true) {
            // The clock is read under the lock, so event times follow commit order for one writer.
            let now = clock.now()
            let row = try readRow(tenant: tenant, token: token)
            let outcome = Decision.outcome(existing: row?.record, operation: operation,
                                           existingOperation: row?.operation, fingerprint: fingerprint, at: now)
            let event = Decision.event(for: outcome, tenant: tenant, token: token, operation: operation,
                                       fingerprint: fingerprint, request: request, existing: row?.record,
                                       policy: policy, at: now)
            try insert(event)
            let key = TokenKey(tenant: tenant, token: token)
            if outcome.executes {
                let s = try db.cached("""
                    INSERT INTO idem_tokens (tenant, token, operation, fingerprint, status, created_at, updated_at,
                        expires_at, locked_until, version, executions, request, response, error)
                    VALUES (?1, ?2, ?3, ?4, 'in_progress', ?5, ?5, ?6, ?7, 1, 1, ?8, NULL, NULL)
                    ON CONFLICT (tenant, token) DO UPDATE SET
                        operation = excluded.operation, fingerprint = excluded.fingerprint, status = 'in_progress',
                        created_at = excluded.created_at, updated_at = excluded.updated_at,
                        expires_at = excluded.expires_at, locked_until = excluded.locked_until,
                        version = version + 1, executions = executions + 1,
                        request = excluded.request, response = NULL, error = NULL
                    """)
                try s.bind(1, tenant)
                try s.bind(2, token)
                try s.bind(3, operation)
                try s.bind(4, fingerprint.description)
                try s.bind(5, now.ms)
                try s.bind(6, event.expiresAt?.ms)
                try s.bind(7, event.lockedUntil?.ms)
                try s.bind(8, request.map(json.encode))
                try s.run()
                let execution = (row?.record.executions ?? 0) + 1
                return .execute(Ticket(key: key, execution: execution), reexecuted: outcome == .reexecuted)
            }
            try bumpVersion(tenant: tenant, token: token)
            switch outcome {
            case .replayed:
                return .replay(row?.response.flatMap { json.decode(StoredResponse.self, from: $0) })
            case .mismatch:
                return .mismatch(storedOperation: row?.operation ?? "",
                                 storedFingerprint: row?.record.fingerprint ?? .none)
            default:
                return .conflict
            }
        }
    }

    private func bumpVersion(tenant: String, token: String) throws {
        let s = try db.cached("UPDATE idem_tokens SET version = version + 1 WHERE tenant = ?1 AND token = ?2")
        try s.bind(1, tenant)
        try s.bind(2, token)
        try s.run()
    }

    /// Stores the response of the execution `ticket` names; `StoreError.superseded` when it is no longer current.
    public func complete(_ ticket: Ticket, response: StoredResponse) throws {
        try finish(ticket) { now in
            StoreEvent(kind: .completed, at: now, tenant: ticket.key.tenant, token: ticket.key.token,
                       responseStatus: response.status, response: response)
        }
    }

    /// Records that the execution `ticket` names failed; a retry executes again.
    public func fail(_ ticket: Ticket, error: String) throws {
        try finish(ticket) { now in
            StoreEvent(kind: .failed, at: now, tenant: ticket.key.tenant, token: ticket.key.token, error: error)
        }
    }

    /// Checks the ticket, appends the event `make` builds and sets the row's status, response and error.
    private func finish(_ ticket: Ticket, _ make: (Instant) -> StoreEvent) throws {
        try db.transaction(immediate: true) {
            let now = clock.now()
            guard let row = try readRow(tenant: ticket.key.tenant, token: ticket.key.token) else {
                throw StoreError.unknownToken(ticket.key)
            }
            guard row.record.stored == .inProgress, row.record.executions == ticket.execution else {
                throw StoreError.superseded(ticket.key)
            }
            let event = make(now)
            try insert(event)
            let s = try db.cached("""
                UPDATE idem_tokens SET status = ?3, updated_at = ?4, response = ?5, error = ?6,
                    expires_at = coalesce(?7, expires_at), version = version + 1
                WHERE tenant = ?1 AND token = ?2
                """)
            try s.bind(1, ticket.key.tenant)
            try s.bind(2, ticket.key.token)
            try s.bind(3, event.kind == .completed ? StoredStatus.completed.rawValue : StoredStatus.failed.rawValue)
            try s.bind(4, now.ms)
            try s.bind(5, event.response.map(json.encode))
            try s.bind(6, event.error)
            try s.bind(7, event.expiresAt?.ms)
            try s.run()
        }
    }

    /// Records an admin event (`purge` or `replay`) in one transaction; a purge also sets the token's status to
    /// purged and bumps its version. Compare-and-set on what the operator saw is not checked here yet.
    public func append(_ event: StoreEvent) throws {
        guard event.kind.isAdmin else {
            throw StoreError.usage("append records admin events (purge, replay); use begin, complete or fail")
        }
        try db.transaction(immediate: true) {
            guard try readRow(tenant: event.tenant, token: event.token) != nil else {
                throw StoreError.unknownToken(event.key)
            }
            try insert(event)
            if event.kind == .purge {
                let s = try db.cached("""
                    UPDATE idem_tokens SET status = 'purged', updated_at = ?3, version = version + 1
                    WHERE tenant = ?1 AND token = ?2
                    """)
                try s.bind(1, event.tenant)
                try s.bind(2, event.token)
                try s.bind(3, event.at.ms)
                try s.run()
            }
        }
    }
}
