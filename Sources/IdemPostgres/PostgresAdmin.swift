import Foundation
import IdemCore
import IdemStore

/// The guarded purge on an idempotency-keys table: `DELETE ... WHERE <row id> AND xmin = <the version seen>`, so a
/// row the service wrote since the operator looked is never deleted, under `lock_timeout` so a row another
/// transaction holds is one line rather than a wait. Admin events go to the local audit journal `audit=PATH`,
/// since idemtop creates no tables in a service's database.
public final class PostgresAdmin: TokenAdmin {
    public let location: StoreLocation
    public let table: PostgresTable
    private let clock: any Clock
    private var audit: JournalWriter?

    public init(location: StoreLocation, table: PostgresTable, clock: any Clock = SystemClock()) {
        self.location = location
        self.table = table
        self.clock = clock
    }

    /// Opens `postgres://...&audit=PATH`.
    public convenience init(location: StoreLocation, clock: any Clock = SystemClock()) throws {
        let config = try PostgresDriver.config(location)
        let table = try PostgresDriver.wrap(location) { try PostgresTable(config: config) }
        self.init(location: location, table: table, clock: clock)
    }

    public func purge(_ key: TokenKey, expect: PurgeExpectation, actor: String, reason: String) throws -> PurgeOutcome {
        let audit = try auditWriter()
        if expect.storedStatus == .purged { return .refused("\(key) is already purged") }
        let tracker = PostgresTrackers.current(for: location.path)
        let target: (rowID: String, xmin: Int64, operation: String)
        if let seen = tracker?.withLock({ $0.known[key] }) {
            guard Int(seen.version) == expect.version else {
                return .refused("changed since you looked: \(key) was written again (version \(expect.version) -> \(seen.version))")
            }
            target = (seen.rowID, seen.xmin, "")
        } else {
            // No reader of this table in this process: compare what the operator saw with the row as it is now.
            guard let row = try PostgresDriver.wrap(location, { try find(key) }) else {
                return .refused("changed since you looked: \(key) is no longer in the table")
            }
            guard row.stored == expect.storedStatus, row.expiresAt == expect.expiresAt else {
                return .refused("changed since you looked: you saw \(expect.status.rawValue), the table now holds "
                    + "\(row.status(at: clock.now()).rawValue)")
            }
            target = (row.rowID, row.xmin, row.operation)
        }
        // A stuck token of a preset whose service unlocks keys itself (rocket-rides) is released, not deleted: its
        // recovery point stays, so the client's retry resumes where the work stopped instead of starting again
        // (a second ride, a second charge).
        let release = table.config.releasesLock(onPurgeOf: expect.status)
        // -1: lock_timeout ran out on a row another transaction holds.
        let deleted = try PostgresDriver.wrap(location) { () throws -> Int in
            do {
                return try write(rowID: target.rowID, xmin: target.xmin, release: release)
            } catch let e as PostgresError where e.isLockTimeout {
                return -1
            }
        }
        if deleted < 0 {
            return .refused("\(key): the row is locked by another transaction (a request is working on it); "
                + "waited \(table.config.lockTimeout.compact), nothing \(release ? "released" : "deleted")")
        }
        guard deleted == 1 else {
            let now = try PostgresDriver.wrap(location) { try find(key) }
            return .refused("changed since you looked: " + (now.map {
                "\(key) was written since (row version \(target.xmin) -> \($0.xmin)), now \($0.status(at: clock.now()).rawValue)"
            } ?? "\(key) is no longer in the table"))
        }
        // A released row stays: the reader sees it unlocked (failed, a retry resumes it) at its next look.
        if !release { tracker?.withLock { $0.forget(key) } }
        let lock = table.config.preset.lockedCol ?? ""
        let said = release ? "lock released (\(lock) = NULL; the row and its recovery point kept, a retry resumes it): \(reason)" : reason
        let event = StoreEvent(kind: .purge, at: clock.now(), tenant: key.tenant, token: key.token,
                               operation: target.operation.isEmpty ? nil : target.operation, actor: actor,
                               reason: said, sawStatus: expect.status, sawVersion: expect.version)
        try audit.append(event, check: nil)
        return .purged(event)
    }

    public func recordReplay(_ event: StoreEvent) throws {
        try auditWriter().append(event, check: nil)
    }

    /// The compare-and-set: deletes the row (or, `release`, clears its lock column) only while its `xmin` is the
    /// one seen; how many rows it changed.
    private func write(rowID: String, xmin: Int64, release: Bool) throws -> Int {
        let c = table.connection
        try c.query("BEGIN")
        do {
            try c.query("SET LOCAL lock_timeout = \(table.config.lockTimeout.ms)")
            try c.query("SET LOCAL statement_timeout = \(table.config.statementTimeout.ms)")
            var params = PostgresTable.split(rowID)
            params.append(String(xmin))
            let change = release
                ? "UPDATE \(table.config.qualifiedTable) SET \(PGConnection.quoteIdent(table.config.preset.lockedCol ?? "")) = NULL"
                : "DELETE FROM \(table.config.qualifiedTable)"
            let n = try c.query(change + " WHERE \(table.whereRow()) AND xmin::text = $\(params.count)", params).affected
            try c.query("COMMIT")
            return n
        } catch {
            if c.isOK { _ = try? c.query("ROLLBACK") }
            throw error
        }
    }

    /// The row for `key` as it is now, nil when it is gone.
    private func find(_ key: TokenKey) throws -> PostgresRow? {
        let p = table.config.preset
        var sql = "SELECT \(table.selectList) FROM \(table.config.qualifiedTable) WHERE "
        var params: [String?] = [key.token]
        if p.keyRule == .nodeIdempotency {
            sql += "right(\(PGConnection.quoteIdent(p.keyCol)), length($1) + 1) = ':' || $1"
        } else {
            sql += "\(PGConnection.quoteIdent(p.keyCol))::text = $1"
        }
        if let t = p.tenantCol {
            sql += " AND \(PGConnection.quoteIdent(t))::text = $2"
            params.append(key.tenant)
        }
        let rows = try table.readOnly { try table.connection.query(sql + " LIMIT 1", params, binary: true) }
        guard rows.count > 0 else { return nil }
        return try table.decode(rows, 0)
    }

    /// The audit journal, made when missing; purging without one is refused before anything is deleted.
    private func auditWriter() throws -> JournalWriter {
        if let audit { return audit }
        guard let path = table.config.auditPath else {
            throw StoreError.usage("admin actions on a Postgres store need an audit journal: add audit=PATH.jsonl to the store URL")
        }
        let opened = try JournalWriter(path: path, clock: clock, create: true)
        audit = opened
        return opened
    }
}
