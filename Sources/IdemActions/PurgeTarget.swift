import IdemCore
import IdemStore

/// One token an operator is about to purge, with what they saw of it.
public struct PurgeTarget: Sendable, Hashable {
    public var key: TokenKey
    public var operation: String
    /// What the purge compares against: the record's version and stored status when the operator looked.
    public var expect: PurgeExpectation
    /// How long ago the current execution began.
    public var age: TimeSpan
    public var hits: Int

    public init(key: TokenKey, operation: String, expect: PurgeExpectation, age: TimeSpan, hits: Int) {
        self.key = key
        self.operation = operation
        self.expect = expect
        self.age = age
        self.hits = hits
    }

    /// The target for `record` in `ledger` as seen at `now`.
    public init(record: TokenRecord, in ledger: Ledger, at now: Instant) {
        self.init(key: ledger.key(of: record),
                  operation: ledger.operation(of: record), expect: PurgeCheck.expectation(for: record, at: now),
                  age: now - record.createdAt, hits: Int(record.hits))
    }
}

extension PurgeTarget {
    /// What the purge will do, in one sentence for the confirmation (see `TokenStatus.purgeConsequence`).
    public var consequence: String { expect.status.purgeConsequence }
}
