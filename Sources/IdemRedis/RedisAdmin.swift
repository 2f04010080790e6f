import Foundation
import IdemCore
import IdemStore

/// The guarded purge on Redis: the key is found, its value read and checked against what the operator saw (stored
/// status and expiry), then deleted by a Lua compare-and-delete of that exact value, so a record the service
/// completed, re-executed or took over in between is never deleted. Admin events go to the local audit journal
/// named by `audit=PATH`.
public final class RedisAdmin: TokenAdmin {
    public let location: StoreLocation
    public let config: RedisConfig
    private let password: String?
    private let clock: any Clock
    private var nodes: RedisNodes?
    private var audit: JournalWriter?

    /// Deletes KEYS[1] only while it holds ARGV[1]: 1 when deleted, 0 when the value changed or is gone.
    static let compareAndDelete =
        "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"

    public init(location: StoreLocation, config: RedisConfig, password: String?, clock: any Clock = SystemClock()) {
        self.location = location
        self.config = config
        self.password = password
        self.clock = clock
    }

    /// Opens `redis://...&audit=PATH` with the password from the environment.
    public convenience init(location: StoreLocation, clock: any Clock = SystemClock(),
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let config = try RedisDriver.config(location)
        let password = try RedisDriver.wrap(location) { try config.password(environment: environment) }
        self.init(location: location, config: config, password: password, clock: clock)
    }

    /// The server, or the cluster's primaries (the compare-and-delete goes to the key's node, MOVED/ASK followed).
    private func connection() throws -> RedisNodes {
        if let nodes { return nodes }
        let n = try RedisNodes(config: config, password: password)
        nodes = n
        return n
    }

    public func purge(_ key: TokenKey, expect: PurgeExpectation, actor: String, reason: String) throws -> PurgeOutcome {
        let audit = try auditWriter()
        guard expect.storedStatus == .inProgress || expect.storedStatus == .completed else {
            return .refused("\(key): a Redis record is never \(expect.storedStatus.rawValue); nothing to purge")
        }
        return try RedisDriver.wrap(location) {
            let conn = try connection()
            guard let record = try find(key, conn) else {
                return .refused("changed since you looked: \(key) is no longer in Redis")
            }
            let now = clock.now()
            // Values without an expiry of their own (the Node libraries) are dated by PTTL, which moves by a
            // millisecond between reads: those compare within a second.
            let slack: Int64 = record.expiration == nil ? 1000 : 0
            guard record.stored == expect.storedStatus, abs(record.expiresAt.ms - expect.expiresAt.ms) <= slack else {
                return .refused("changed since you looked: you saw \(expect.status.rawValue) expiring "
                    + "\(expect.expiresAt.rfc3339), Redis now holds \(Sanitizer.visible(record.rawStatus)) "
                    + "(\(record.status(at: now).rawValue)) expiring \(record.expiresAt.rfc3339)")
            }
            let reply = try conn.command(forKey: record.key, ["EVAL", RedisAdmin.compareAndDelete, "1", record.key,
                                                              String(decoding: record.value, as: UTF8.self)])
            if let e = reply.errorText {
                if e.hasPrefix("NOPERM") { throw RedisError.permission("EVAL: \(e)") }
                throw RedisError.server("EVAL: \(e)")
            }
            guard reply.int == 1 else {
                return .refused("changed since you looked: \(key)'s value changed between the check and the delete")
            }
            let event = StoreEvent(kind: .purge, at: clock.now(), tenant: key.tenant, token: key.token,
                                   operation: record.operation, actor: actor, reason: reason,
                                   sawStatus: expect.status, sawVersion: expect.version)
            try audit.append(event, check: nil)
            return .purged(event)
        }
    }

    /// The record for a token: SCAN (every primary of a cluster) for keys ending in the token (escaped for MATCH),
    /// decoded and compared.
    func find(_ key: TokenKey, _ nodes: RedisNodes) throws -> RedisRecord? {
        let token = RedisAdmin.escapeGlob(key.token)
        let pattern: String
        switch config.profile.library {
        case .powertools, .powertoolsTS, .custom: pattern = "*#" + token
        case .nodeIdempotency: pattern = RedisAdmin.escapeGlob(key.tenant) + ":*:" + token
        case .expressIdempotency: pattern = token
        }
        if nodes.isCluster { try nodes.refresh() }
        for endpoint in nodes.primaries {
            var cursor = "0"
            repeat {
                let page = try nodes.scanPage(endpoint, cursor: cursor, match: pattern, count: config.count)
                for e in page.entries {
                    guard let r = try? RedisRecord(key: e.key, value: e.value, pttl: e.pttl, at: clock.now(),
                                                   profile: config.profile) else { continue }
                    if r.tenant == key.tenant, r.token == key.token, globMatches(config.profile.match, r.key) { return r }
                }
                cursor = page.cursor
            } while cursor != "0"
        }
        return nil
    }

    /// A literal for Redis MATCH: `*`, `?`, `[`, `]` and `\` escaped.
    static func escapeGlob(_ s: String) -> String {
        var out = ""
        for c in s {
            if "*?[]\\".contains(c) { out.append("\\") }
            out.append(c)
        }
        return out
    }

    public func recordReplay(_ event: StoreEvent) throws {
        try auditWriter().append(event, check: nil)
    }

    /// The audit journal, made when missing; purging without one is refused before anything is deleted.
    private func auditWriter() throws -> JournalWriter {
        if let audit { return audit }
        guard let path = config.auditPath else {
            throw StoreError.usage("admin actions on a Redis store need an audit journal: add audit=PATH.jsonl to the store URL")
        }
        let opened = try JournalWriter(path: path, clock: clock, create: true)
        audit = opened
        return opened
    }
}
