import IdemCore

/// One purge of a batch: a token and what the operator saw of it.
public struct PurgeRequest: Sendable, Hashable {
    public var key: TokenKey
    public var expect: PurgeExpectation
    public init(key: TokenKey, expect: PurgeExpectation) {
        self.key = key
        self.expect = expect
    }
}

/// Stores that purge many tokens under one lock or transaction: a bulk purge then holds the store's write lock once
/// per batch rather than once per token, so a live service waiting for the lock is not starved meanwhile.
public protocol BatchPurging: AnyObject {
    /// Purges each request on its own compare-and-set, all under one lock; outcomes in the requests' order.
    func purge(batch: [PurgeRequest], actor: String, reason: String) throws -> [PurgeOutcome]
}
