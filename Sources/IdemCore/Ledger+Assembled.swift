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
        // In one go (the table sized once, the slots placed in table order), as a checkpoint's ledger is built.
        records.withUnsafeBufferPointer { rs in
            index.insertAll(from: 0, count: rs.count) { p in
                let i = Int(p)  // field by field: a copy of the whole record retains its strings
                return RecordIndex.hash(rs[i].tenantID, rs[i].store, rs[i].token)
            }
        }
    }

    /// Notes the time of an event whose effect the records already hold (a ledger read whole, then its events
    /// read for what only they tell): `at:` windows and the histogram see it; the records do not change.
    public mutating func noteTime(_ e: StoreEvent) {
        if let i = indexOf(e.key) { times.add(e, record: i) }
    }
}
