/// What can go wrong talking to Redis: each prints as one line saying what happened and what to do.
public enum RedisError: Error, Sendable, Hashable, CustomStringConvertible {
    case usage(String)
    /// Nothing listens there (ECONNREFUSED), or the host is unknown or unreachable.
    case connect(String)
    case timeout(String)
    /// The server refused the password or user (WRONGPASS, NOAUTH, NOPERM on AUTH).
    case auth(String)
    /// SELECT failed: the database index is out of range.
    case wrongDatabase(Int, String)
    /// A MOVED or ASK reply while not in cluster mode.
    case moved(String)
    case tls(String)
    /// The connection closed or broke mid-reply.
    case closed(String)
    case protocolError(String)
    /// An error reply to a command (the server's own text).
    case server(String)
    /// An ACL refused a command (NOPERM).
    case permission(String)

    public var description: String {
        switch self {
        case .usage(let m): return m
        case .connect(let m): return "cannot connect: \(m)"
        case .timeout(let m): return "timed out: \(m)"
        case .auth(let m): return "authentication failed: \(m) (set REDISCLI_AUTH or password_env=VAR)"
        case .wrongDatabase(let db, let m): return "cannot select database \(db): \(m)"
        case .moved(let m):
            return "the server answered \(m): it is a Redis Cluster node; add cluster=1 to the location"
        case .tls(let m): return "TLS: \(m)"
        case .closed(let m): return "connection lost: \(m)"
        case .protocolError(let m): return "protocol error: \(m)"
        case .server(let m): return "server error: \(m)"
        case .permission(let m): return "refused by the server's ACL: \(m)"
        }
    }
}
