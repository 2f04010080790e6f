import IdemCore
import IdemStore

/// Which tokens a bulk purge takes: a status, an age, optionally one tenant, optionally only some records (those a
/// filter matched); every condition given must hold.
public struct PurgeSelection: Sendable, Hashable {
    /// Only tokens with this status at `now` (nil: any status).
    public var status: TokenStatus?
    /// Only tokens whose current execution began at least this long ago.
    public var olderThan: TimeSpan
    public var tenant: String?
    /// Only these indexes of `ledger.records` (nil: all).
    public var records: Set<Int32>?

    public init(status: TokenStatus?, olderThan: TimeSpan, tenant: String? = nil, records: Set<Int32>? = nil) {
        self.status = status
        self.olderThan = olderThan
        self.tenant = tenant
        self.records = records
    }

    /// The matching tokens of `ledger` at `now`, oldest first. Purged tokens are never selected.
    public func targets(in ledger: Ledger, at now: Instant) -> [PurgeTarget] {
        var out: [PurgeTarget] = []
        for (i, r) in ledger.records.enumerated() where r.stored != .purged {
            let shown = r.status(at: now)
            guard shown != .purged, status.map({ shown == $0 }) ?? true, now - r.createdAt >= olderThan,
                  records.map({ $0.contains(Int32(i)) }) ?? true else { continue }
            if let tenant, ledger.tenant(of: r) != tenant { continue }
            out.append(PurgeTarget(record: r, in: ledger, at: now))
        }
        return out.sorted { ($0.age.ms, $1.key) > ($1.age.ms, $0.key) }
    }
}
