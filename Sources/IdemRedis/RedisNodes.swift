import Foundation
import IdemCore

/// The servers a reader or a purge talks to: one Redis server, or every primary of a Redis Cluster, with one
/// connection per node (made when first needed, with the location's credentials and TLS options).
///
/// A cluster is used when the location says `cluster=1`, or, unless it says `cluster=0`, when the server's `INFO
/// cluster` says `cluster_enabled:1`. Its primaries come from `CLUSTER SHARDS` (or `CLUSTER NODES` before Redis 7),
/// asked again at every pass (`refresh`) and at once after a MOVED. Reads go to a key's slot's primary; a `MOVED`
/// reply moves the slot in the map and the read goes there; an `ASK` reply (a slot migrating) sends `ASKING` and the
/// read to the node named, for that read only.
///
/// Blocking, used from one thread at a time (the store's own thread).
public final class RedisNodes {
    public let config: RedisConfig
    private let password: String?
    /// The cluster's map; nil for a single server.
    public private(set) var topology: RedisClusterTopology?
    private var conns: [String: RedisConnection] = [:]
    /// Each node's connection for scan passes alone (their replies may be on their way between pages).
    private var scanConns: [String: RedisConnection] = [:]
    /// Set by a MOVED: the map changed, ask the cluster again before the next pass.
    public private(set) var mapChanged = false
    /// `cluster=0` on a node whose `INFO cluster` says it is in a cluster: only its own keys are read.
    public private(set) var clusterIgnored = false
    /// Why `INFO cluster` could not tell whether the server is a cluster node (an ACL refusing INFO): read as one
    /// server.
    public private(set) var discoveryRefused: String?
    /// The most redirects one read follows (a slot moving twice while read); past it, an error.
    static let maxHops = 5

    /// Connects to the location's server and, for a cluster, reads its map.
    public init(config: RedisConfig, password: String?) throws {
        self.config = config
        self.password = password
        let seed = try open(config.host, config.port)
        var cluster = config.cluster
        if !cluster {
            // Refused (an ACL without INFO) or an old server: a single server, and a MOVED is one clear line.
            let info = try? seed.command(["INFO", "cluster"])
            if let e = info?.errorText { discoveryRefused = e }
            let enabled = info?.text.map { $0.contains("cluster_enabled:1") } ?? false
            if config.discoverCluster { cluster = enabled } else { clusterIgnored = enabled }
        }
        if cluster {
            seed.followsRedirects = true
            topology = try RedisNodes.discover(seed, seedHost: config.host, tls: config.tls)
        }
        conns[seed.endpoint] = seed
    }

    public var isCluster: Bool { topology != nil }

    /// The endpoints a pass scans: every primary, or the one server.
    public var primaries: [String] { topology?.nodes.map(\.endpoint) ?? [config.endpoint] }

    /// The primaries with their addresses (what a tracking connection opens).
    public var addresses: [(endpoint: String, host: String, port: Int)] {
        topology?.nodes.map { ($0.endpoint, $0.host, $0.port) } ?? [(config.endpoint, config.host, config.port)]
    }

    /// The connection to `endpoint` (one of `primaries`, or a redirect's target), made when missing.
    public func connection(_ endpoint: String) throws -> RedisConnection {
        if let c = conns[endpoint] { return c }
        guard let (host, port) = hostPort(endpoint) else { throw RedisError.protocolError("no node \(endpoint)") }
        let c = try open(host, port)
        conns[endpoint] = c
        return c
    }

    /// Drops the connections to `endpoint` (it failed); the next use reconnects.
    public func drop(_ endpoint: String) {
        conns.removeValue(forKey: endpoint)
        scanConns.removeValue(forKey: endpoint)
    }

    /// The connection scan passes through `endpoint` use (their own: see `RedisScanPass`), made when missing or
    /// when `fresh` and the last pass left replies owed on it.
    func scanConnection(_ endpoint: String, fresh: Bool) throws -> RedisConnection {
        if let c = scanConns[endpoint], !(fresh && c.repliesOwed) { return c }
        guard let (host, port) = hostPort(endpoint) else { throw RedisError.protocolError("no node \(endpoint)") }
        let c = try open(host, port)
        scanConns[endpoint] = c
        return c
    }

    /// Asks the cluster for its map again (from any node that answers: the known primaries, those in `avoiding`
    /// (known down) last, then the location's own); true when the primaries changed. A single server: false.
    @discardableResult
    public func refresh(avoiding: Set<String> = []) throws -> Bool {
        guard let old = topology else { return false }
        var lastError: Error = RedisError.connect("no node of the cluster answers")
        let known = old.nodes.map(\.endpoint)
        for endpoint in known.filter({ !avoiding.contains($0) }) + known.filter(avoiding.contains) + [config.endpoint] {
            do {
                let fresh = try RedisNodes.discover(try connection(endpoint), seedHost: config.host, tls: config.tls)
                topology = fresh
                mapChanged = false
                return fresh.nodes.map(\.endpoint) != old.nodes.map(\.endpoint)
                    || fresh.nodes.map(\.ranges) != old.nodes.map(\.ranges)
            } catch let e as RedisError {
                drop(endpoint)
                lastError = e
            }
        }
        throw lastError
    }

    /// The sum of every primary's DBSIZE (nil when one does not answer).
    public func dbsize() -> Int64? {
        var total: Int64 = 0
        for p in primaries {
            guard let n = try? connection(p).command(["DBSIZE"]).int else { return nil }
            total += n
        }
        return total
    }

    /// One SCAN page of the node `endpoint`, with the values; keys whose GET was redirected (a slot migrating) are
    /// read where the redirect points.
    public func scanPage(_ endpoint: String, cursor: String, match: String, count: Int) throws -> RedisScanPage {
        var page = try RedisScanPage.read(try connection(endpoint), cursor: cursor, match: match, count: count)
        guard !page.redirected.isEmpty else { return page }
        let keys = page.redirected
        page.redirected = []
        for (key, read) in zip(keys, try get(keys)) {
            switch read {
            case .value(let v, let pttl): page.entries.append(RedisScanPage.Entry(key: key, value: v, pttl: pttl))
            case .gone: page.vanished += 1
            case .other(let why): page.wrongType.append((key, why))
            case .unreachable(let why): throw why
            }
        }
        return page
    }

    /// The next page of `pass` through the node `endpoint` over that node's scan connection (pipelined, see
    /// `RedisScanPass`): each record to `entry`. Keys whose GET was redirected (a slot migrating) are read where the
    /// redirect points and handed to `entry` too.
    public func scan(_ endpoint: String, _ pass: inout RedisScanPass,
                     _ entry: (RedisScanPage.Entry) -> Void) throws -> RedisScanPass.Tally {
        let conn = try scanConnection(endpoint, fresh: pass.isFresh)
        var tally: RedisScanPass.Tally
        do {
            tally = try pass.next(conn, entry)
        } catch {
            if conn.repliesOwed { scanConns.removeValue(forKey: endpoint) }  // not to be read by anyone else
            throw error
        }
        guard !tally.redirected.isEmpty else { return tally }
        let keys = tally.redirected
        tally.redirected = []
        for (key, read) in zip(keys, try get(keys)) {
            switch read {
            case .value(let v, let pttl):
                tally.entries += 1
                entry(RedisScanPage.Entry(key: key, value: v, pttl: pttl))
            case .gone: tally.vanished += 1
            case .other(let why): tally.wrongType.append((key, why))
            case .unreachable(let why): throw why
            }
        }
        return tally
    }

    /// What a GET + PTTL of one key found.
    public enum Read {
        case value([UInt8], pttl: Int64)
        case gone
        /// A reply that is not a string (WRONGTYPE, another error): why.
        case other(String)
        /// The key's node did not answer (a node down): the key's state is unknown.
        case unreachable(RedisError)
    }

    /// GET and PTTL of every key, pipelined per node (by slot), following MOVED and ASK; in the keys' order. A
    /// cluster node that does not answer makes its keys `.unreachable` (the other nodes' keys are still read); a
    /// single server that does not answer throws.
    public func get(_ keys: [String]) throws -> [Read] {
        var out = [Read](repeating: .gone, count: keys.count)
        // Where each key is asked next, and whether with ASKING first.
        var todo: [(index: Int, endpoint: String, asking: Bool)] = keys.indices.map { i in
            (i, endpoint(forKey: keys[i]), false)
        }
        var hops = 0
        while !todo.isEmpty {
            var next: [(index: Int, endpoint: String, asking: Bool)] = []
            let byNode = Dictionary(grouping: todo, by: \.endpoint)
            for (endpoint, items) in byNode.sorted(by: { $0.key < $1.key }) {
                let replies: [RESPValue]
                do {
                    var commands: [[[UInt8]]] = []
                    commands.reserveCapacity(items.count * 4)
                    for item in items {
                        let k = Array(keys[item.index].utf8)
                        if item.asking { commands.append([Array("ASKING".utf8)]) }
                        commands.append([Array("GET".utf8), k])
                        if item.asking { commands.append([Array("ASKING".utf8)]) }
                        commands.append([Array("PTTL".utf8), k])
                    }
                    replies = try connection(endpoint).pipeline(commands)
                } catch let e as RedisError where isCluster && e.isConnectionLoss {
                    // One node down: its keys are unknown; a single server's loss is the caller's to handle.
                    drop(endpoint)
                    for item in items { out[item.index] = .unreachable(e) }
                    continue
                }
                var r = 0
                for item in items {
                    if item.asking { r += 1 }
                    let value = replies[r]
                    r += item.asking ? 2 : 1
                    let ttl = replies[r]
                    r += 1
                    if let redirect = RedisRedirect(value) {
                        let target = redirect.host.isEmpty ? replacingPort(endpoint, redirect.port)
                            : RedisNodes.endpoint(redirect.host, redirect.port)
                        if !redirect.ask { moved(redirect, answeredBy: endpoint) }
                        next.append((item.index, target, redirect.ask))
                        continue
                    }
                    switch value {
                    case .bulk(let v): out[item.index] = .value(v, pttl: ttl.int ?? -1)
                    case .null: out[item.index] = .gone
                    case .error(let e) where e.hasPrefix("WRONGTYPE"):
                        out[item.index] = .other("not a string value (WRONGTYPE): not an idempotency record")
                    case .error(let e) where e.hasPrefix("NOPERM"): throw RedisError.permission("GET: \(e)")
                    case .error(let e) where e.hasPrefix("CLUSTERDOWN") || e.hasPrefix("TRYAGAIN"):
                        out[item.index] = .unreachable(.server("\(endpoint) said \(e)"))
                    case .error(let e): out[item.index] = .other("GET failed: \(e)")
                    default: out[item.index] = .other("GET answered an unexpected reply")
                    }
                }
            }
            hops += 1
            if hops > RedisNodes.maxHops, !next.isEmpty {
                throw RedisError.server("\(keys[next[0].index]): redirected more than \(RedisNodes.maxHops) times (the cluster is resharding)")
            }
            todo = next
        }
        return out
    }

    /// Sends a command about one key (its arguments naming it once, as `EVAL script 1 key ...`) to the key's node,
    /// following MOVED and ASK.
    public func command(forKey key: String, _ args: [String]) throws -> RESPValue {
        var endpoint = endpoint(forKey: key)
        var asking = false
        for _ in 0...RedisNodes.maxHops {
            let conn = try connection(endpoint)
            let reply = asking ? try conn.pipeline([[Array("ASKING".utf8)], args.map { Array($0.utf8) }])[1]
                : try conn.command(args)
            guard let redirect = RedisRedirect(reply) else { return reply }
            if !redirect.ask { moved(redirect, answeredBy: endpoint) }
            endpoint = redirect.host.isEmpty ? replacingPort(endpoint, redirect.port)
                : RedisNodes.endpoint(redirect.host, redirect.port)
            asking = redirect.ask
        }
        throw RedisError.server("\(key): redirected more than \(RedisNodes.maxHops) times (the cluster is resharding)")
    }

    /// The endpoint serving `key` as the map says (the one server when not a cluster).
    public func endpoint(forKey key: String) -> String {
        guard let topology else { return config.endpoint }
        return topology.node(forSlot: RedisSlot.of(key))?.endpoint ?? topology.nodes[0].endpoint
    }

    /// Whether `key` belongs to a slot of the primary `endpoint` as the map says.
    public func serves(_ endpoint: String, key: String) -> Bool { self.endpoint(forKey: key) == endpoint }

    private func moved(_ redirect: RedisRedirect, answeredBy endpoint: String) {
        let host = redirect.host.isEmpty ? (hostPort(endpoint)?.0 ?? config.host) : redirect.host
        topology?.move(slot: redirect.slot, to: host, port: redirect.port)
        mapChanged = true
    }

    private func open(_ host: String, _ port: Int) throws -> RedisConnection {
        let c = try RedisConnection(config: config, password: password, host: host, port: port)
        c.followsRedirects = topology != nil
        return c
    }

    /// The cluster's primaries as `conn`'s node knows them: CLUSTER SHARDS, else CLUSTER NODES.
    static func discover(_ conn: RedisConnection, seedHost: String, tls: Bool) throws -> RedisClusterTopology {
        conn.followsRedirects = true
        let shards = try conn.command(["CLUSTER", "SHARDS"])
        if shards.errorText == nil { return try RedisClusterTopology.shards(shards, seedHost: seedHost, tls: tls) }
        let nodes = try conn.command(["CLUSTER", "NODES"])
        if let e = nodes.errorText {
            if e.hasPrefix("NOPERM") { throw RedisError.permission("CLUSTER NODES: \(e)") }
            throw RedisError.server("\(conn.endpoint) is not a cluster node (cluster=1 in the location): CLUSTER NODES said \(e)")
        }
        guard let text = nodes.text else { throw RedisError.protocolError("CLUSTER NODES answered \(nodes)") }
        return try RedisClusterTopology.nodesText(text, seedHost: seedHost)
    }

    static func endpoint(_ host: String, _ port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    private func hostPort(_ endpoint: String) -> (String, Int)? {
        guard let colon = endpoint.lastIndex(of: ":"), let port = Int(endpoint[endpoint.index(after: colon)...]) else {
            return nil
        }
        var host = String(endpoint[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host, port)
    }

    private func replacingPort(_ endpoint: String, _ port: Int) -> String {
        RedisNodes.endpoint(hostPort(endpoint)?.0 ?? config.host, port)
    }
}
