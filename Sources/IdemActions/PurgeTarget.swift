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
        self.init(key: TokenKey(tenant: ledger.tenant(of: record), token: record.token),
                  operation: ledger.operation(of: record), expect: PurgeCheck.expectation(for: record, at: now),
                  age: now - record.createdAt, hits: Int(record.hits))
    }
}

extension PurgeTarget {
    /// What the purge will do, in one sentence for the confirmation (CLI listing, the dashboard's dialog).
    public var consequence: String {
        switch expect.status {
        case .completed:
            return "its stored response is forgotten: the next request with this token executes anew (a client retry charges again)"
        case .inProgress, .stuck:
            return "the execution in flight can no longer complete (its result is refused as superseded); the next request executes anew"
        case .failed:
            return "clients see no change (a failed token already executes anew); the purge is recorded"
        case .expired:
            return "clients see no change (an expired token already executes anew); the purge is recorded"
        case .purged:
            return "nothing: it is already purged"
        }
    }
}
