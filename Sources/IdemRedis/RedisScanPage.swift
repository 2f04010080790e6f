import IdemCore

/// One SCAN page of one node, with the values: `SCAN cursor MATCH m COUNT n`, then one pipeline of `GET` and
/// `PTTL` for every key it returned.
public struct RedisScanPage: Sendable {
    /// A key's value as read, before decoding.
    public struct Entry: Sendable {
        public var key: String
        public var value: [UInt8]
        public var pttl: Int64
    }

    /// The cursor to continue from; "0" when the pass through the node is over.
    public var cursor: String
    public var entries: [Entry] = []
    /// Keys that held no string (WRONGTYPE): key and a reason.
    public var wrongType: [(key: String, reason: String)] = []
    /// Keys SCAN listed that were gone by GET (expired or deleted in between).
    public var vanished = 0
    /// Keys whose GET a cluster node answered with MOVED or ASK (their slot is migrating): `RedisNodes` reads
    /// them where the redirect points.
    public var redirected: [String] = []

    /// Reads the page after `cursor`.
    public static func read(_ conn: RedisConnection, cursor: String, match: String, count: Int) throws -> RedisScanPage {
        let reply = try conn.command(["SCAN", cursor, "MATCH", match, "COUNT", String(count)])
        if let e = reply.errorText { throw RedisError.server("SCAN: \(e)") }
        guard let parts = reply.array, parts.count == 2, let next = parts[0].text, let keys = parts[1].array else {
            throw RedisError.protocolError("SCAN answered \(reply)")
        }
        var page = RedisScanPage(cursor: next)
        guard !keys.isEmpty else { return page }
        var commands: [[[UInt8]]] = []
        commands.reserveCapacity(keys.count * 2)
        var names: [[UInt8]] = []
        names.reserveCapacity(keys.count)
        let get = Array("GET".utf8), pttl = Array("PTTL".utf8)  // one buffer each, shared by every command
        for k in keys {
            guard case .bulk(let name) = k else { continue }
            names.append(name)
            commands.append([get, name])
            commands.append([pttl, name])
        }
        let replies = try conn.pipeline(commands)
        for (i, name) in names.enumerated() {
            let key = String(decoding: name, as: UTF8.self)
            let value = replies[2 * i], ttl = replies[2 * i + 1]
            switch value {
            case .bulk(let bytes): page.entries.append(Entry(key: key, value: bytes, pttl: ttl.int ?? -1))
            case .null: page.vanished += 1
            case .error(let e) where e.hasPrefix("WRONGTYPE"):
                page.wrongType.append((key, "not a string value (WRONGTYPE): not an idempotency record"))
            case .error(let e) where e.hasPrefix("NOPERM"): throw RedisError.permission("GET: \(e)")
            case .error(let e) where RedisRedirect(e) != nil: page.redirected.append(key)
            case .error(let e): page.wrongType.append((key, "GET failed: \(e)"))
            default: page.wrongType.append((key, "GET answered an unexpected reply"))
            }
        }
        return page
    }
}
