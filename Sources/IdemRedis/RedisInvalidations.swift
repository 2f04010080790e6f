import Foundation
import IdemCore

/// Keys that changed between scans, from a second connection in RESP3 with `CLIENT TRACKING ON BCAST PREFIX p`:
/// Redis pushes an `invalidate` message for every SET, DEL and expiry under the prefix, with keyspace notifications
/// off and no server configuration (Redis 6+).
///
/// `nil` from `take` means the server flushed everything (an invalidate with a null key list): rescan.
final class RedisInvalidations {
    private let conn: RedisConnection
    let prefix: String

    /// Opens the tracking connection for keys under `match`'s literal prefix (all keys when it starts with a glob).
    init(config: RedisConfig, password: String?, host: String, port: Int) throws {
        conn = try RedisConnection(config: config, password: password, host: host, port: port, resp3: true)
        prefix = RedisInvalidations.literalPrefix(config.profile.match)
        var args = ["CLIENT", "TRACKING", "ON", "BCAST"]
        if !prefix.isEmpty { args += ["PREFIX", prefix] }
        let reply = try conn.command(args)
        if let e = reply.errorText { throw RedisError.server("CLIENT TRACKING: \(e)") }
    }

    /// The keys invalidated since the last call (waiting at most `waitingMs` for the first); nil after a flush.
    func take(waitingMs: Int32 = 0) throws -> Set<String>? {
        var keys: Set<String> = []
        for push in try conn.drainPushes(waitingMs: waitingMs) {
            guard push.count >= 2, push[0].text == "invalidate" else { continue }
            guard let list = push[1].array else { return nil }
            for k in list { if let t = k.text { keys.insert(t) } }
        }
        return keys
    }

    /// The part of a glob before its first special character.
    static func literalPrefix(_ pattern: String) -> String {
        String(pattern.prefix { !"*?[\\".contains($0) })
    }
}

/// Redis's glob (`*`, `?`, `[...]`, `\` escapes) as fnmatch(3) reads it, close enough for MATCH patterns.
func globMatches(_ pattern: String, _ key: String) -> Bool {
    fnmatch(pattern, key, 0) == 0
}
