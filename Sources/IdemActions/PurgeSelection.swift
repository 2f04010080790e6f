import IdemCore
import IdemStore

/// Which tokens a bulk purge takes: a status, an age, optionally one tenant.
public struct PurgeSelection: Sendable, Hashable {
    public var status: TokenStatus
    /// Only tokens whose current execution began at least this long ago.
    public var olderThan: TimeSpan
    public var tenant: String?

    public init(status: TokenStatus, olderThan: TimeSpan, tenant: String? = nil) {
        self.status = status
        self.olderThan = olderThan
        self.tenant = tenant
    }

    /// The matching tokens of `ledger` at `now`, oldest first. Purged tokens are never selected.
    public func targets(in ledger: Ledger, at now: Instant) -> [PurgeTarget] {
        var out: [PurgeTarget] = []
        for r in ledger.records where r.stored != .purged && r.status(at: now) == status {
            guard now - r.createdAt >= olderThan else { continue }
            if let tenant, ledger.tenant(of: r) != tenant { continue }
            out.append(PurgeTarget(record: r, in: ledger, at: now))
        }
        return out.sorted { ($0.age.ms, $1.key) > ($1.age.ms, $0.key) }
    }
}
