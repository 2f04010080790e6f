import IdemCore
import IdemUI

/// Which tokens `list` prints and in what order: the query its flags describe, run over a ledger.
public struct TokenListing: Sendable {
    /// What `--sort` takes; times and counts sort newest or highest first, text A to Z, status by attention.
    public enum SortField: String, CaseIterable, Sendable {
        case status, tenant, token, operation, created, updated, expires, hits, mismatches, conflicts
        case lastSeen = "last_seen"

        /// A field by its name or by a name the dashboard's `:sort` takes (one vocabulary: `age` is `created`,
        /// `last-seen`, `mism`, `op` and the other column aliases work in both).
        public init?(name: String) {
            let n = name.lowercased().replacingOccurrences(of: "-", with: "_")
            if let f = SortField(rawValue: n) {
                self = f
            } else if let c = Column(name: n), let f = c == .age ? SortField.created : SortField(rawValue: c.rawValue) {
                self = f
            } else {
                return nil
            }
        }
    }

    public var status: TokenStatus?
    public var tenant: String?
    /// Only these records (a filter's matches), or all.
    public var records: Set<Int32>?
    public var sort: SortField = .lastSeen
    public var reverse = false
    public var limit: Int?

    public init(status: TokenStatus? = nil, tenant: String? = nil, records: Set<Int32>? = nil,
                sort: SortField = .lastSeen, reverse: Bool = false, limit: Int? = nil) {
        self.status = status
        self.tenant = tenant
        self.records = records
        self.sort = sort
        self.reverse = reverse
        self.limit = limit
    }

    /// The matching records of `ledger` at `now`, in order.
    public func rows(in ledger: Ledger, at now: Instant) -> [TokenRecord] {
        let tenantID = tenant.map { ledger.tenants.lookup($0) ?? -1 }
        var rows = ledger.records.enumerated().compactMap { i, r -> TokenRecord? in
            guard tenantID.map({ r.tenantID == $0 }) ?? true, status.map({ r.status(at: now) == $0 }) ?? true,
                  records.map({ $0.contains(Int32(i)) }) ?? true else { return nil }
            return r
        }
        rows.sort(by: TokenListing.order(sort, ledger: ledger, now: now))
        if reverse { rows.reverse() }
        if let limit { rows = Array(rows.prefix(limit)) }
        return rows
    }

    /// The ordering for a sort field; ties broken by tenant and token so output is stable.
    public static func order(_ field: SortField, ledger: Ledger, now: Instant) -> (TokenRecord, TokenRecord) -> Bool {
        func tie(_ a: TokenRecord, _ b: TokenRecord) -> Bool {
            (ledger.tenant(of: a), a.token) < (ledger.tenant(of: b), b.token)
        }
        func by<T: Comparable>(_ key: @escaping (TokenRecord) -> T, descending: Bool) -> (TokenRecord, TokenRecord) -> Bool {
            { a, b in
                let ka = key(a), kb = key(b)
                if ka != kb { return descending ? ka > kb : ka < kb }
                return tie(a, b)
            }
        }
        switch field {
        case .status: return by({ $0.status(at: now).attentionRank }, descending: false)
        case .tenant: return by({ ledger.tenant(of: $0) }, descending: false)
        case .token: return by({ $0.token }, descending: false)
        case .operation: return by({ ledger.operation(of: $0) }, descending: false)
        case .created: return by({ $0.createdAt }, descending: true)
        case .updated: return by({ $0.updatedAt }, descending: true)
        case .expires: return by({ $0.expiresAt }, descending: false)
        case .hits: return by({ $0.hits }, descending: true)
        case .mismatches: return by({ $0.mismatches }, descending: true)
        case .conflicts: return by({ $0.conflicts }, descending: true)
        case .lastSeen: return by({ $0.lastSeen }, descending: true)
        }
    }
}
