/// What the operator saw when deciding to purge a token: the purge goes through only while the store still holds it.
public struct PurgeExpectation: Sendable, Hashable {
    /// The status shown to the operator (for the message and the admin event).
    public var status: TokenStatus
    /// The record's version (journal, SQLite): any event with the token since changes it.
    public var version: Int
    /// The stored status and expiry, which stores without versions (DynamoDB) compare instead.
    public var storedStatus: StoredStatus
    public var expiresAt: Instant

    public init(status: TokenStatus, version: Int, storedStatus: StoredStatus, expiresAt: Instant) {
        self.status = status
        self.version = version
        self.storedStatus = storedStatus
        self.expiresAt = expiresAt
    }

    /// What an operator sees of `record` at `now`.
    public init(record: TokenRecord, at now: Instant) {
        self.init(status: record.status(at: now), version: Int(record.version), storedStatus: record.stored,
                  expiresAt: record.expiresAt)
    }
}

/// One token an operator is about to purge, with what they saw of it: the one value the dashboard's dialog, a bulk
/// purge, the CLI, the actions and every store's compare-and-set pass along.
public struct PurgeTarget: Sendable, Hashable {
    public var key: TokenKey
    public var operation: String
    /// What the purge compares against: the record's version and stored status when the operator looked.
    public var expect: PurgeExpectation
    /// How long ago the current execution began.
    public var age: TimeSpan
    public var hits: Int
    /// How the purge is asked and reported: the standard wording for the status seen, unless the store's driver
    /// says its purge does something else for it.
    public var wording: PurgeWording

    public init(key: TokenKey, operation: String, expect: PurgeExpectation, age: TimeSpan, hits: Int) {
        self.key = key
        self.operation = operation
        self.expect = expect
        self.age = age
        self.hits = hits
        wording = .standard(for: expect.status)
    }

    /// The target for `record` in `ledger` as seen at `now`.
    public init(record: TokenRecord, in ledger: Ledger, at now: Instant) {
        self.init(key: ledger.key(of: record), operation: ledger.operation(of: record),
                  expect: PurgeExpectation(record: record, at: now), age: now - record.createdAt,
                  hits: Int(record.hits))
    }

    /// What the purge will do, in one sentence for the confirmation (see `PurgeWording`).
    public var consequence: String { wording.consequence }
}
