import IdemCore

/// Which primary of a Redis Cluster serves each of the 16384 slots, as `CLUSTER SHARDS` (Redis 7) or `CLUSTER
/// NODES` (older servers) tells it. Replicas are left out: SCAN runs on every primary, reads go to a slot's primary.
public struct RedisClusterTopology: Sendable, Hashable {
    public struct Node: Sendable, Hashable {
        public var id: String
        public var host: String
        public var port: Int
        /// The slot ranges it serves, inclusive.
        public var ranges: [ClosedRange<Int>]
        /// Flagged failing by the cluster (`fail` in CLUSTER NODES, `health: fail` in CLUSTER SHARDS).
        public var failing = false

        public var endpoint: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    /// The primaries, ordered by their first slot.
    public private(set) var nodes: [Node]
    /// The index in `nodes` of each slot's primary; -1 for a slot nobody serves.
    private var owner: [Int16]

    public init(nodes: [Node]) {
        self.nodes = nodes.sorted { ($0.ranges.first?.lowerBound ?? Int.max, $0.endpoint) < ($1.ranges.first?.lowerBound ?? Int.max, $1.endpoint) }
        owner = Array(repeating: -1, count: RedisSlot.count)
        for (i, n) in self.nodes.enumerated() {
            for r in n.ranges where r.lowerBound >= 0 && r.upperBound < RedisSlot.count {
                for s in r { owner[s] = Int16(i) }
            }
        }
    }

    /// The primary serving `slot`, nil when none does.
    public func node(forSlot slot: Int) -> Node? {
        guard (0..<RedisSlot.count).contains(slot), owner[slot] >= 0 else { return nil }
        return nodes[Int(owner[slot])]
    }

    /// Slots no primary serves.
    public var uncovered: Int { owner.reduce(0) { $0 + ($1 < 0 ? 1 : 0) } }

    /// `MOVED slot host:port` said: the slot is now served there (a node idemtop did not know becomes one).
    public mutating func move(slot: Int, to host: String, port: Int) {
        guard (0..<RedisSlot.count).contains(slot) else { return }
        if let i = nodes.firstIndex(where: { $0.host == host && $0.port == port }) {
            owner[slot] = Int16(i)
        } else {
            nodes.append(Node(id: "", host: host, port: port, ranges: [slot...slot]))
            owner[slot] = Int16(nodes.count - 1)
        }
    }

    /// Reads a `CLUSTER SHARDS` reply (RESP2: each shard a flat list of names and values). `seedHost` stands in
    /// for a node that reports no address.
    public static func shards(_ reply: RESPValue, seedHost: String, tls: Bool) throws -> RedisClusterTopology {
        guard let shards = reply.array else { throw RedisError.protocolError("CLUSTER SHARDS answered \(reply)") }
        var nodes: [Node] = []
        for shard in shards {
            let fields = pairs(shard)
            var ranges: [ClosedRange<Int>] = []
            let bounds = (fields["slots"]?.array ?? []).compactMap { $0.int.map(Int.init) }
            var i = 0
            while i + 1 < bounds.count {
                if bounds[i] <= bounds[i + 1] { ranges.append(bounds[i]...bounds[i + 1]) }
                i += 2
            }
            for n in fields["nodes"]?.array ?? [] {
                let f = pairs(n)
                guard f["role"]?.text == "master" else { continue }
                let portValue = (tls ? f["tls-port"] : nil) ?? f["port"]
                guard let port = portValue?.int.map(Int.init), port > 0 else { continue }
                var host = f["endpoint"]?.text ?? ""
                if host.isEmpty || host == "?" { host = f["ip"]?.text ?? "" }
                if host.isEmpty || host == "?" { host = seedHost }
                nodes.append(Node(id: f["id"]?.text ?? "", host: host, port: port, ranges: ranges,
                                  failing: f["health"]?.text == "fail"))
            }
        }
        guard !nodes.isEmpty else { throw RedisError.protocolError("CLUSTER SHARDS listed no primary") }
        return RedisClusterTopology(nodes: nodes)
    }

    /// Reads `CLUSTER NODES` text: `id ip:port@cport[,hostname] flags master ping pong epoch link slot...`.
    public static func nodesText(_ text: String, seedHost: String) throws -> RedisClusterTopology {
        var nodes: [Node] = []
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let parts = line.split(separator: " ")
            guard parts.count >= 8 else { continue }
            let flags = parts[2].split(separator: ",")
            guard flags.contains("master"), !flags.contains("noaddr") else { continue }
            let address = parts[1].split(separator: "@")[0]
            guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
                  port > 0 else { continue }
            var host = String(address[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            if host.isEmpty { host = seedHost }
            var ranges: [ClosedRange<Int>] = []
            for s in parts.dropFirst(8) where !s.hasPrefix("[") {
                let ends = s.split(separator: "-")
                if ends.count == 2, let a = Int(ends[0]), let b = Int(ends[1]), a <= b { ranges.append(a...b) }
                else if ends.count == 1, let a = Int(ends[0]) { ranges.append(a...a) }
            }
            nodes.append(Node(id: String(parts[0]), host: host, port: port, ranges: ranges,
                              failing: flags.contains("fail")))
        }
        guard !nodes.isEmpty else { throw RedisError.protocolError("CLUSTER NODES listed no primary") }
        return RedisClusterTopology(nodes: nodes)
    }

    /// A RESP2 flat list of alternating names and values (or a RESP3 map folded into one) as a dictionary.
    static func pairs(_ v: RESPValue) -> [String: RESPValue] {
        guard let items = v.array else { return [:] }
        var out: [String: RESPValue] = [:]
        var i = 0
        while i + 1 < items.count {
            if let k = items[i].text { out[k] = items[i + 1] }
            i += 2
        }
        return out
    }
}

/// A `MOVED slot host:port` or `ASK slot host:port` error reply: the key's slot is served elsewhere (MOVED: for
/// good, update the map; ASK: for this one command, sent after `ASKING`, while the slot migrates).
public struct RedisRedirect: Sendable, Hashable {
    public var ask: Bool
    public var slot: Int
    /// Empty when the server did not know its own address (then the node that answered is meant).
    public var host: String
    public var port: Int

    public init?(_ error: String) {
        let parts = error.split(separator: " ")
        guard parts.count == 3, parts[0] == "MOVED" || parts[0] == "ASK", let slot = Int(parts[1]),
              let colon = parts[2].lastIndex(of: ":"), let port = Int(parts[2][parts[2].index(after: colon)...])
        else { return nil }
        ask = parts[0] == "ASK"
        self.slot = slot
        var host = String(parts[2][..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host
        self.port = port
    }

    public init?(_ reply: RESPValue) {
        guard let e = reply.errorText else { return nil }
        self.init(e)
    }
}
