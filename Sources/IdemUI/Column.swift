import IdemCore

/// A column of the token table; also what the table sorts by.
public enum Column: String, CaseIterable, Sendable, Hashable {
    case status, store, tenant, token, operation, age, expires, hits, mismatches, conflicts, lastSeen = "last_seen"

    /// The header label.
    public var title: String {
        switch self {
        case .status: return "STATUS"
        case .store: return "STORE"
        case .tenant: return "TENANT"
        case .token: return "TOKEN"
        case .operation: return "OPERATION"
        case .age: return "AGE"
        case .expires: return "EXPIRES IN"
        case .hits: return "HITS"
        case .mismatches: return "MISM"
        case .conflicts: return "CONFL"
        case .lastSeen: return "LAST SEEN"
        }
    }

    /// The width the column wants; `token` and `operation` share whatever is left.
    var width: Int {
        switch self {
        case .status: return 11
        case .store: return 8
        case .tenant: return 8
        case .token: return 14
        case .operation: return 14
        case .age: return 6
        case .expires: return 15
        case .hits: return 4
        case .mismatches: return 4
        case .conflicts: return 5
        case .lastSeen: return 9
        }
    }

    var rightAligned: Bool { self == .hits || self == .mismatches || self == .conflicts }

    /// Dropped first when the terminal is narrow (higher goes first).
    var dropOrder: Int {
        switch self {
        case .conflicts: return 40
        case .age: return 30
        case .lastSeen: return 20
        // At 60 columns the counts go before the token, operation or expiry do: a whole column, never a cut title.
        case .mismatches: return 15
        case .hits: return 12
        case .tenant: return 10
        // With several stores, which one is what tells two rows of one token apart: it goes last.
        case .store: return 5
        default: return 0
        }
    }

    /// The name `:sort` and `list --sort` both use for this column: the field's name (`created` for AGE, which
    /// shows how long ago the token was created), the raw value otherwise.
    public var sortName: String { self == .age ? "created" : rawValue }

    /// The natural first direction: counts and times newest or largest first.
    public var defaultDescending: Bool {
        switch self {
        case .hits, .mismatches, .conflicts, .lastSeen: return true
        default: return false
        }
    }

    /// Parses a column name as `:sort` accepts it (`status`, `op`, `last_seen`, `mism`...).
    public init?(name: String) {
        let n = name.lowercased().replacingOccurrences(of: "-", with: "_")
        let aliases: [String: Column] = [
            "op": .operation, "expires_in": .expires, "expiry": .expires, "mism": .mismatches, "mismatch": .mismatches,
            "confl": .conflicts, "conflict": .conflicts, "last": .lastSeen, "seen": .lastSeen, "lastseen": .lastSeen,
            "hit": .hits, "created": .age,
        ]
        guard let c = Column(rawValue: n) ?? aliases[n] else { return nil }
        self = c
    }

    /// The columns shown at `width`, with their widths (token and operation stretched), left to right; STORE only
    /// when `stores` (several stores are open).
    public static func layout(width: Int, stores: Bool = false) -> [(Column, Int)] {
        var shown = Column.allCases.filter { stores || $0 != .store }
        func total(_ cs: [Column]) -> Int { cs.reduce(0) { $0 + $1.width + 1 } }
        while total(shown) > width, let drop = shown.filter({ $0.dropOrder > 0 }).max(by: { $0.dropOrder < $1.dropOrder }) {
            shown.removeAll { $0 == drop }
        }
        let spare = max(0, width - total(shown))
        // Spare room goes to the token, operation and tenant, each up to a useful size.
        let tokenExtra = min(spare / 2, 36 - Column.token.width)
        let opExtra = min((spare - tokenExtra) * 2 / 3, 30 - Column.operation.width)
        let tenantExtra = min(spare - tokenExtra - opExtra, 16 - Column.tenant.width)
        return shown.map { c in
            switch c {
            case .token: return (c, c.width + tokenExtra)
            case .operation: return (c, c.width + opExtra)
            case .tenant: return (c, c.width + tenantExtra)
            default: return (c, c.width)
            }
        }
    }
}
