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
        // -1: lock_timeout ran out on a row another transaction holds.
        let deleted = try PostgresDriver.wrap(location) { () throws -> Int in
            do {
                return try delete(rowID: target.rowID, xmin: target.xmin)
            } catch let e as PostgresError where e.isLockTimeout {
                return -1
            }
        }
        if deleted < 0 {
            return .refused("\(key): the row is locked by another transaction (a request is working on it); "
                + "waited \(table.config.lockTimeout.compact), nothing deleted")
        }
        guard deleted == 1 else {
            let now = try PostgresDriver.wrap(location) { try find(key) }
            return .refused("changed since you looked: " + (now.map {
                "\(key) was written since (row version \(target.xmin) -> \($0.xmin)), now \($0.status(at: clock.now()).rawValue)"
            } ?? "\(key) is no longer in the table"))
        }
        tracker?.withLock { $0.forget(key) }
        let event = StoreEvent(kind: .purge, at: clock.now(), tenant: key.tenant, token: key.token,
                               operation: target.operation.isEmpty ? nil : target.operation, actor: actor,
                               reason: reason, sawStatus: expect.status, sawVersion: expect.version)
        try audit.append(event, check: nil)
        return .purged(event)
    }

    public func recordReplay(_ event: StoreEvent) throws {
        try auditWriter().append(event, check: nil)
    }

    /// The compare-and-set: deletes the row only while its `xmin` is the one seen; how many rows went.
    private func delete(rowID: String, xmin: Int64) throws -> Int {
        let c = table.connection
        try c.query("BEGIN")
        do {
            try c.query("SET LOCAL lock_timeout = \(table.config.lockTimeout.ms)")
            try c.query("SET LOCAL statement_timeout = \(table.config.statementTimeout.ms)")
            var params = PostgresTable.split(rowID)
            params.append(String(xmin))
            let n = try c.query("DELETE FROM \(table.config.qualifiedTable) WHERE \(table.whereRow()) "
                                    + "AND xmin::text = $\(params.count)", params).affected
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
        let rows = try table.readOnly { try table.connection.query(sql + " LIMIT 1", params) }
        guard rows.count > 0 else { return nil }
        return try PostgresRow.decode(rows, 0, idCount: table.idCount, preset: p)
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
