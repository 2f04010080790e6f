/// The events appended after a checkpoint folded onto its image read in place (`LedgerImageView`): only the
/// records the events touch are decoded, and the summary (`stats`) comes from the image's columns adjusted by them.
///
/// Each event is applied as `Ledger.apply` would apply it to the ledger the image holds: the same counts, newest
/// event, tenants and operations, and the same record state (a record the image holds is decoded on its first
/// event and folded from there; a new token gets a record after the image's). What it does not keep is every
/// event's time (`EventTimes`): a summary does not need them, so this answers `stats`, not `list` or the histogram.
public struct ImageTailFold {
    public let view: LedgerImageView
    /// The image's meta with the tail's counts, tenants, operations, malformed entries and newest event applied;
    /// it holds no records.
    public private(set) var ledger: Ledger
    /// The image's records the tail touched, by position, as folded.
    private var touched: [Int: TokenRecord] = [:]
    /// The tail's new tokens' records, at positions `view.count` and on.
    private var added: [TokenRecord] = []
    private var positions: [Key: Int] = [:]

    private struct Key: Hashable {
        var tenant: Int32
        var store: UInt8
        var token: String
    }

    public init(_ view: LedgerImageView) {
        self.view = view
        ledger = view.meta
    }

    /// The number of tokens: the image's and the tail's new ones.
    public var tokens: Int { view.count + added.count }
    /// How many of the image's records the tail touched.
    public var touchedCount: Int { touched.count }

    /// Applies one event, as `Ledger.apply` does.
    public mutating func apply(_ e: StoreEvent) throws {
        ledger.counts.add(e)
        if ledger.lastEventAt.map({ e.at > $0 }) ?? true { ledger.lastEventAt = e.at }
        let tenantID = ledger.tenants.id(e.tenant)
        let key = Key(tenant: tenantID, store: e.store, token: e.token)
        let n = view.count
        var r: TokenRecord
        let p: Int
        if let known = positions[key] {
            p = known
            r = p < n ? touched[p]! : added[p - n]
        } else if let found = try view.find(tenant: tenantID, store: e.store, token: e.token) {
            p = found
            r = try view.record(p)
            positions[key] = p
        } else {
            r = Ledger.firstRecord(e, tenantID: tenantID, operationID: ledger.operations.id(e.operation ?? ""),
                                   policy: ledger.policy)
            if Int(e.store) >= ledger.storeCount { ledger.storeCount = Int(e.store) + 1 }
            p = n + added.count
            added.append(r)
            positions[key] = p
        }
        Ledger.fold(&r, e, policy: ledger.policy, operationID: { self.ledger.operations.id($0) })
        if p < n { touched[p] = r } else { added[p - n] = r }
    }

    /// Counts a line the reader could not decode, as `Ledger.noteMalformed` does.
    public mutating func noteMalformed(_ entry: MalformedEntry) { ledger.noteMalformed(entry) }

    /// The tokens by status at `now`: the image's columns, less the touched records' statuses there, plus theirs
    /// as folded and the new tokens'.
    public func statuses(at now: Instant) throws -> [TokenStatus: Int] {
        var c = try view.statusCounts(at: now)
        for (p, r) in touched {
            c[LedgerImageView.position(try view.status(of: p, at: now))] -= 1
            c[LedgerImageView.position(r.status(at: now))] += 1
        }
        for r in added { c[LedgerImageView.position(r.status(at: now))] += 1 }
        var out: [TokenStatus: Int] = [:]
        for (k, s) in TokenStatus.allCases.enumerated() where c[k] != 0 { out[s] = c[k] }
        return out
    }
}
