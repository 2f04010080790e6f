import Foundation
import IdemCore

/// The writer API over a SQLite store: each call is one `BEGIN IMMEDIATE` transaction that reads the token row,
/// decides with `Decision`, appends the event and updates the row.
///
/// SQLite's write lock makes the read-decide-write atomic across processes: two processes racing on one token
/// execute it once: the loser waits up to the busy timeout for the lock, then sees `conflict` (or `replayed` once the
/// winner has completed).
public final class SQLiteWriter: TokenWriter, TokenAdmin, BatchPurging {
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

    private func readRow(tenant: String, token: String) throws -> SQLiteTokenRow.Row? {
        try SQLiteTokenRow.read(tenant: tenant, token: token, db: db)
    }

    /// Appends the event and applies it to the token row.
    private func record(_ event: StoreEvent) throws {
        try SQLiteTokenRow.record(event, db: db, json: json)
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
            try record(event)
            let stored = outcome == .replayed ? row?.response.flatMap { json.decode(StoredResponse.self, from: $0) } : nil
            return BeginResult(outcome, key: TokenKey(tenant: tenant, token: token), existing: row?.record,
                               existingOperation: row?.operation, storedResponse: stored)
        }
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
            try record(make(now))
        }
    }

    /// Purges `key` when its row still holds the version and stored status the operator saw.
    ///
    /// One `BEGIN IMMEDIATE` transaction reads the row, compares, appends the `purge` event and marks the row purged
    /// (version + 1). A refusal writes nothing.
    public func purge(_ key: TokenKey, expect: PurgeExpectation, actor: String, reason: String) throws -> PurgeOutcome {
        try db.transaction(immediate: true) {
            let now = clock.now()
            let row = try readRow(tenant: key.tenant, token: key.token)
            if let refusal = PurgeCheck.refusal(key: key, current: row?.record, expect: expect, now: now) {
                return .refused(refusal)
            }
            let event = PurgeCheck.event(key: key, expect: expect, actor: actor, reason: reason, at: now)
            try record(event)
            return .purged(event)
        }
    }

    /// Purges a batch in one `BEGIN IMMEDIATE` transaction, each request on its own compare-and-set.
    public func purge(batch: [PurgeTarget], actor: String, reason: String) throws -> [PurgeOutcome] {
        try db.transaction(immediate: true) {
            let now = clock.now()
            return try batch.map { item in
                let row = try readRow(tenant: item.key.tenant, token: item.key.token)
                if let refusal = PurgeCheck.refusal(key: item.key, current: row?.record, expect: item.expect, now: now) {
                    return .refused(refusal)
                }
                let event = PurgeCheck.event(key: item.key, expect: item.expect, actor: actor, reason: reason, at: now)
                try record(event)
                return .purged(event)
            }
        }
    }

    /// Appends an admin `replay` event; the token row is left as it is.
    public func recordReplay(_ event: StoreEvent) throws {
        guard event.kind == .replay else { throw StoreError.usage("recordReplay takes a replay event") }
        try append(event)
    }

    /// Records an admin event (`purge` or `replay`) in one transaction, unchecked; a purge also sets the token's
    /// status to purged and bumps its version. Operators' purges go through `purge(_:expect:actor:reason:)`.
    public func append(_ event: StoreEvent) throws {
        guard event.kind.isAdmin else {
            throw StoreError.usage("append records admin events (purge, replay); use begin, complete or fail")
        }
        try db.transaction(immediate: true) {
            guard try readRow(tenant: event.tenant, token: event.token) != nil else {
                throw StoreError.unknownToken(event.key)
            }
            try record(event)
        }
    }
}
