import IdemCore

/// What can go wrong talking to a Postgres table, each as one line.
public enum PostgresError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A location or option that is wrong before anything is sent.
    case usage(String)
    /// libpq could not connect (host, password, TLS, database): libpq's own words, on one line.
    case connect(String)
    /// The server answered a statement with an error; `sqlState` is its five-character code.
    case query(sqlState: String, message: String)
    /// The table does not have what the mapping needs (a missing column, a column of another type).
    case schema(String)
    /// The connection broke (the server restarted or went away).
    case connectionLost(String)

    public var description: String {
        switch self {
        case .usage(let m), .schema(let m): return m
        case .connect(let m): return "cannot connect: \(m)"
        case .query(let state, let m): return "\(m) (SQLSTATE \(state))"
        case .connectionLost(let m): return "connection lost: \(m)"
        }
    }

    /// Postgres' "could not obtain lock on row" (SQLSTATE 55P03, lock_not_available: `lock_timeout` ran out).
    public var isLockTimeout: Bool {
        if case .query(let state, _) = self { return state == "55P03" }
        return false
    }

    /// libpq's messages end in a newline and sometimes span lines; one line, made visible.
    static func oneLine(_ text: String) -> String {
        let parts = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        return Sanitizer.visible(parts.filter { !$0.isEmpty }.joined(separator: "; "))
    }
}
