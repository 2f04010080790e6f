import Foundation
import IdemCore

/// Everything a `redis://[user@]host:port[/db]?...` location says: the server, the credentials' source, the
/// library profile, and how idemtop reads. See docs/redis.md for the options.
///
/// A password is never taken from the URL (it would be on the command line and in `ps`): it comes from
/// `REDISCLI_AUTH` (as redis-cli reads it) or from the variable `password_env=VAR` names.
public struct RedisConfig: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var user: String?
    public var database = 0
    public var tls = false
    public var profile = RedisProfile(.powertools)
    public var passwordEnv: String?
    public var auditPath: String?
    /// `cluster=1`: a Redis Cluster (every primary scanned, MOVED/ASK followed).
    public var cluster = false
    /// Without `cluster=`: ask the server (`INFO cluster`) whether it is a cluster node; `cluster=0` skips that.
    public var discoverCluster = true
    /// SCAN's COUNT hint and the pipeline depth of GET+PTTL.
    public var count = 1000
    /// How often to rescan after the first pass (default 2 s), doubled on errors up to a minute.
    public var pollInterval = TimeSpan.seconds(2)
    /// Connect and per-reply timeout (default 5 s).
    public var timeout = TimeSpan.seconds(5)
    /// Follow CLIENT TRACKING invalidations between scans (default on).
    public var tracking = true
    /// TLS: a CA file to verify the server with, and whether to verify at all.
    public var caFile: String?
    public var verifyTLS = true

    public static let optionNames: Set<String> = [
        "profile", "match", "password_env", "audit", "cluster", "count", "poll", "timeout", "tracking",
        "status_attr", "expiry_attr", "in_progress_expiry_attr", "data_attr", "validation_key_attr",
        "in_progress", "completed", "expiry_unit", "validation", "processing_timeout", "expires_after",
        "ca_file", "verify",
    ]

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `redis://` or `rediss://` locations.
    public init(url text: String) throws {
        let tls: Bool
        let rest: Substring
        if text.hasPrefix("rediss://") { tls = true; rest = text.dropFirst(9) }
        else if text.hasPrefix("redis://") { tls = false; rest = text.dropFirst(8) }
        else { throw RedisError.usage("'\(Sanitizer.visible(text))' is not a redis://host:port location") }
        let parts = rest.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var authority = Substring(parts[0])
        var db: Int?
        if let slash = authority.firstIndex(of: "/") {
            let dbText = authority[authority.index(after: slash)...]
            authority = authority[..<slash]
            if !dbText.isEmpty {
                guard let n = Int(dbText), n >= 0 else {
                    throw RedisError.usage("'\(Sanitizer.visible(String(dbText)))' is not a database number (redis://host:port/0)")
                }
                db = n
            }
        }
        var user: String?
        if let at = authority.lastIndex(of: "@") {
            let u = authority[..<at]
            guard !u.contains(":") else {
                throw RedisError.usage("a password in the URL would be on the command line: use REDISCLI_AUTH or password_env=VAR")
            }
            user = u.isEmpty ? nil : (String(u).removingPercentEncoding ?? String(u))
            authority = authority[authority.index(after: at)...]
        }
        var host = String(authority)
        var port = 6379
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let tail = authority[authority.index(after: close)...]
            if tail.hasPrefix(":") { port = try RedisConfig.port(tail.dropFirst()) }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            port = try RedisConfig.port(authority[authority.index(after: colon)...])
        }
        guard !host.isEmpty else { throw RedisError.usage("'\(Sanitizer.visible(text))' names no host: redis://host:port") }
        self.init(host: host, port: port)
        self.tls = tls
        self.user = user
        if let db { database = db }
        if parts.count > 1 {
            for pair in parts[1].split(separator: "&") where !pair.isEmpty {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = String(kv[0]).removingPercentEncoding ?? String(kv[0])
                let value = kv.count > 1 ? (String(kv[1]).removingPercentEncoding ?? String(kv[1])) : ""
                try apply(name, value)
            }
        }
        if cluster, database != 0 { throw RedisError.usage("Redis Cluster has only database 0; drop /\(database)") }
    }

    private static func port(_ s: Substring) throws -> Int {
        guard let p = Int(s), (1...65535).contains(p) else {
            throw RedisError.usage("'\(Sanitizer.visible(String(s)))' is not a port (1-65535)")
        }
        return p
    }

    /// Sets one option, or says what is wrong with it. The profile is applied first where it appears, so field
    /// renames after it override its defaults.
    mutating func apply(_ name: String, _ value: String) throws {
        func nonEmpty() throws -> String {
            guard !value.isEmpty else { throw RedisError.usage("redis option \(name)= needs a value") }
            return value
        }
        func span() throws -> TimeSpan {
            guard let s = TimeSpan(parsing: value), s.ms > 0 else {
                throw RedisError.usage("redis option \(name)= wants a duration such as 2s or 500ms, not '\(Sanitizer.visible(value))'")
            }
            return s
        }
        func flag() throws -> Bool {
            switch value.lowercased() {
            case "1", "true", "on", "yes", "": return true
            case "0", "false", "off", "no": return false
            default: throw RedisError.usage("redis option \(name)= wants 1 or 0, not '\(Sanitizer.visible(value))'")
            }
        }
        switch name {
        case "profile":
            guard let library = RedisProfile.Library(rawValue: value) else {
                let known = RedisProfile.Library.allCases.map(\.rawValue).joined(separator: ", ")
                throw RedisError.usage("unknown redis profile '\(Sanitizer.visible(value))' (known: \(known))")
            }
            let keep = profile
            profile = RedisProfile(library)
            if keep.match != RedisProfile(keep.library).match { profile.match = keep.match }
        case "match": profile.match = try nonEmpty()
        case "password_env": passwordEnv = try nonEmpty()
        case "audit": auditPath = try nonEmpty()
        case "cluster":
            cluster = try flag()
            discoverCluster = false
        case "tracking": tracking = try flag()
        case "count":
            guard let n = Int(value), (1...100_000).contains(n) else {
                throw RedisError.usage("redis option count= wants 1 to 100000, not '\(Sanitizer.visible(value))'")
            }
            count = n
        case "poll": pollInterval = try span()
        case "timeout": timeout = try span()
        case "expires_after": profile.expiresAfter = try span()
        case "processing_timeout": profile.processingTimeoutMs = try span().ms
        case "status_attr": profile.statusField = try nonEmpty()
        case "expiry_attr": profile.expiryField = try nonEmpty()
        case "in_progress_expiry_attr": profile.inProgressExpiryField = try nonEmpty()
        case "data_attr": profile.dataField = try nonEmpty()
        case "validation_key_attr": profile.validationField = try nonEmpty()
        case "in_progress": profile.inProgressWord = try nonEmpty()
        case "completed": profile.completedWord = try nonEmpty()
        case "expiry_unit":
            switch value {
            case "s": profile.expiryInMs = false
            case "ms": profile.expiryInMs = true
            default: throw RedisError.usage("redis option expiry_unit= wants s or ms, not '\(Sanitizer.visible(value))'")
            }
        case "validation": profile.validationConfigured = try flag()
        case "ca_file": caFile = try nonEmpty()
        case "verify": verifyTLS = try flag()
        default:
            throw RedisError.usage("unknown redis option '\(Sanitizer.visible(name))' (known: \(RedisConfig.optionNames.sorted().joined(separator: ", ")))")
        }
    }

    /// The password: `password_env=VAR`'s variable, else `REDISCLI_AUTH`; nil when neither is set.
    public func password(environment: [String: String]) throws -> String? {
        if let name = passwordEnv {
            guard let p = environment[name], !p.isEmpty else {
                throw RedisError.usage("password_env=\(name) but \(name) is not set")
            }
            return p
        }
        if let p = environment["REDISCLI_AUTH"], !p.isEmpty { return p }
        return nil
    }

    /// `host:port` for messages.
    public var endpoint: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
