import Foundation
import IdemCore
import IdemStore

/// The guarded purge on a Powertools table: a `DeleteItem` conditioned on the status and expiration the operator
/// saw, so a record the service completed or re-executed meanwhile is never deleted. Admin events go to the local
/// audit journal named by `audit=PATH`.
public final class DynamoAdmin: TokenAdmin {
    public let location: StoreLocation
    public let table: DynamoTable
    private let clock: any Clock
    /// The audit journal, opened on the first admin action and kept (a bulk purge appends to one writer).
    private var audit: JournalWriter?

    public init(location: StoreLocation, table: DynamoTable, clock: any Clock = SystemClock()) {
        self.location = location
        self.table = table
        self.clock = clock
    }

    /// Opens `dynamodb://TABLE?...&audit=PATH`.
    public convenience init(location: StoreLocation, clock: any Clock = SystemClock()) throws {
        let config = try DynamoDriver.config(location)
        let table = try DynamoDriver.wrap(location) { try DynamoTable(config: config, clock: clock) }
        self.init(location: location, table: table, clock: clock)
    }

    public func purge(_ key: TokenKey, expect: PurgeExpectation, actor: String, reason: String) throws -> PurgeOutcome {
        let audit = try auditWriter()
        guard let statuses = DynamoAdmin.statusTexts(expect.storedStatus) else {
            return .refused("\(key): a DynamoDB record is never \(expect.storedStatus.rawValue); nothing to purge")
        }
        return try DynamoDriver.wrap(location) {
            guard let record = try table.find(key) else {
                return .refused("changed since you looked: \(key) is no longer in the table")
            }
            let names = ["#st": table.config.statusAttr, "#exp": table.config.expiryAttr]
            var values: Item = [:]
            for (i, s) in statuses.enumerated() { values[":s\(i)"] = .s(s) }
            var condition = "#st IN (\(statuses.indices.map { ":s\($0)" }.joined(separator: ", ")))"
            if expect.expiresAt.ms >= 253_402_300_799_000 {
                condition += " AND attribute_not_exists(#exp)"
            } else {
                values[":exp"] = .n(String(expect.expiresAt.ms / 1000 - 1))
                condition += " AND #exp = :exp"
            }
            do {
                try table.delete(record.primaryKey(config: table.config), condition: condition, names: names,
                                 values: values)
            } catch DynamoError.conditionFailed(let now) {
                let current = try now ?? table.get(record.primaryKey(config: table.config))
                return .refused("changed since you looked: " + DynamoAdmin.describe(current, config: table.config,
                                                                                    saw: expect, at: clock.now()))
            }
            let event = StoreEvent(kind: .purge, at: clock.now(), tenant: key.tenant, token: key.token,
                                   operation: record.operation, actor: actor, reason: reason,
                                   sawStatus: expect.status, sawVersion: expect.version)
            try audit.append(event, check: nil)
            return .purged(event)
        }
    }

    public func recordReplay(_ event: StoreEvent) throws {
        try auditWriter().append(event, check: nil)
    }

    /// The audit journal, made when missing; purging without one is refused before anything is deleted.
    private func auditWriter() throws -> JournalWriter {
        if let audit { return audit }
        guard let path = table.config.auditPath else {
            throw StoreError.usage("admin actions on a DynamoDB store need an audit journal: add audit=PATH.jsonl to the store URL")
        }
        let opened = try JournalWriter(path: path, clock: clock, create: true)
        audit = opened
        return opened
    }

    /// The status texts Powertools may have stored for a stored status.
    static func statusTexts(_ s: StoredStatus) -> [String]? {
        switch s {
        case .inProgress: return ["INPROGRESS", "IN_PROGRESS"]
        case .completed: return ["COMPLETED", "COMPLETE"]
        case .failed, .purged: return nil
        }
    }

    /// What the item holds now, against what the operator saw: one line.
    static func describe(_ item: Item?, config: DynamoTableConfig, saw: PurgeExpectation, at now: Instant) -> String {
        guard let item, let r = try? PowertoolsRecord(item: item, config: config) else {
            return "the record is gone from the table"
        }
        return "you saw \(saw.status.rawValue) expiring \(saw.expiresAt.rfc3339), the table now holds "
            + "\(r.rawStatus) (\(r.status(at: now).rawValue)) expiring \(r.expiresAt.rfc3339)"
    }
}
