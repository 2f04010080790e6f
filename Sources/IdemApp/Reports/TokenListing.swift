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
        indices(in: ledger, at: now).map { ledger.records[Int($0)] }
    }

    /// The positions of the matching records of `ledger` at `now`, in order: 4 bytes a match while it sorts, not a
    /// copy of every matching record (at a million tokens the copies and the sort's buffer took about 230 MB).
    /// With a small `limit` only the best `limit` are kept as it goes, in one pass.
    public func indices(in ledger: Ledger, at now: Instant) -> [Int32] {
        let tenantID = tenant.map { ledger.tenants.lookup($0) ?? -1 }
        let order = TokenListing.order(sort, ledger: ledger, now: now)
        return ledger.records.withUnsafeBufferPointer { records -> [Int32] in
            guard let base = records.baseAddress else { return [] }
            // Records are read where they lie (a copy of one retains and releases its strings).
            let before: (Int32, Int32) -> Bool = reverse
                ? { order(base + Int($1), base + Int($0)) }
                : { order(base + Int($0), base + Int($1)) }
            func matches(_ i: Int) -> Bool {
                let r = base + i
                return (tenantID.map { r.pointee.tenantID == $0 } ?? true)
                    && (status.map { r.pointee.status(at: now) == $0 } ?? true)
                    && (self.records.map { $0.contains(Int32(i)) } ?? true)
            }
            if let limit, limit <= 1000 {
                // The best `limit` so far, in order; a record enters only when it beats the last of them.
                var top: [Int32] = []
                top.reserveCapacity(limit + 1)
                guard limit > 0 else { return [] }
                for i in records.indices where matches(i) {
                    let k = Int32(i)
                    if top.count == limit, let last = top.last, !before(k, last) { continue }
                    var lo = 0, hi = top.count
                    while lo < hi {
                        let mid = (lo + hi) / 2
                        if before(k, top[mid]) { hi = mid } else { lo = mid + 1 }
                    }
                    top.insert(k, at: lo)
                    if top.count > limit { top.removeLast() }
                }
                return top
            }
            var rows = records.indices.compactMap { matches($0) ? Int32($0) : nil }
            rows.sort(by: before)
            if let limit, limit < rows.count { rows.removeSubrange(limit...) }
            return rows
        }
    }

    /// The ordering for a sort field; ties broken by tenant and token so output is stable. It reads the two
    /// records where they lie.
    public static func order(_ field: SortField, ledger: Ledger, now: Instant)
        -> (UnsafePointer<TokenRecord>, UnsafePointer<TokenRecord>) -> Bool {
        let tenants = ledger.tenants.strings, operations = ledger.operations.strings
        func tie(_ a: UnsafePointer<TokenRecord>, _ b: UnsafePointer<TokenRecord>) -> Bool {
            let ta = a.pointee.tenantID, tb = b.pointee.tenantID
            if ta != tb, tenants[Int(ta)] != tenants[Int(tb)] { return tenants[Int(ta)] < tenants[Int(tb)] }
            return a.pointee.token < b.pointee.token
        }
        func by<T: Comparable>(_ key: @escaping (UnsafePointer<TokenRecord>) -> T, descending: Bool)
            -> (UnsafePointer<TokenRecord>, UnsafePointer<TokenRecord>) -> Bool {
            { a, b in
                let ka = key(a), kb = key(b)
                if ka != kb { return descending ? ka > kb : ka < kb }
                return tie(a, b)
            }
        }
        switch field {
        case .status: return by({ $0.pointee.status(at: now).attentionRank }, descending: false)
        case .tenant: return by({ tenants[Int($0.pointee.tenantID)] }, descending: false)
        case .token: return by({ $0.pointee.token }, descending: false)
        case .operation: return by({ operations[Int($0.pointee.operationID)] }, descending: false)
        case .created: return by({ $0.pointee.createdAt }, descending: true)
        case .updated: return by({ $0.pointee.updatedAt }, descending: true)
        case .expires: return by({ $0.pointee.expiresAt }, descending: false)
        case .hits: return by({ $0.pointee.hits }, descending: true)
        case .mismatches: return by({ $0.pointee.mismatches }, descending: true)
        case .conflicts: return by({ $0.pointee.conflicts }, descending: true)
        case .lastSeen: return by({ $0.pointee.lastSeen }, descending: true)
        }
    }
}
