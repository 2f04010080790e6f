/// A ledger put together from a store that keeps each token's fold itself (a SQLite store of schema version 2 keeps
/// in `idem_tokens` every field of `TokenRecord`), instead of folded event by event.
extension Ledger {
    /// The ledger whose records are `records` (one per token, one store), with `tenants` and `operations` the
    /// string tables their ids point into, and `counts` and `lastEventAt` the totals over the store's events.
    ///
    /// It holds no event times (`times` is empty): a caller that needs `at:` windows or the histogram folds instead.
    public init(policy: Policy, records: [TokenRecord], tenants: Interner, operations: Interner, counts: EventCounts,
                lastEventAt: Instant?) {
        self.init(policy: policy)
        self.tenants = tenants
        self.operations = operations
        self.counts = counts
        self.lastEventAt = lastEventAt
        self.records = records
        for (i, r) in records.enumerated() {
            index.insert(Int32(i), tenant: r.tenantID, store: r.store, token: r.token, records: [])
        }
    }

    /// Notes the time of an event whose effect the records already hold (a ledger read whole, then its events
    /// read for what only they tell): `at:` windows and the histogram see it; the records do not change.
    public mutating func noteTime(_ e: StoreEvent) {
        if let i = indexOf(e.key) { times.add(e, record: i) }
    }
}
