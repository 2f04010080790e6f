import IdemCore

/// Stores that purge many tokens under one lock or transaction: a bulk purge then holds the store's write lock once
/// per batch rather than once per token, so a live service waiting for the lock is not starved meanwhile.
public protocol BatchPurging: AnyObject {
    /// Purges each target on its own compare-and-set, all under one lock; outcomes in the targets' order.
    func purge(batch: [PurgeTarget], actor: String, reason: String) throws -> [PurgeOutcome]
}
