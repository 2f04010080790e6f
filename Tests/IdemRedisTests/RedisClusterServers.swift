import Foundation
import IdemCore
import IdemProcess
import IdemTestSupport

/// A three-primary Redis Cluster made by the test: three `redis-server --cluster-enabled yes` on free loopback
/// ports (each a `RedisServer`, under its watchdog), joined with `redis-cli --cluster create ... --cluster-replicas 0
/// --cluster-yes`, then waited for until every node says `cluster_state:ok`.
///
/// Each node's cluster bus is on a free port of its own (`cluster-port`, Redis 7). `cluster-require-full-coverage no`: with no replicas, a stopped node leaves its slots unserved, and the others
/// go on serving theirs (what a test of a node stopping mid-follow needs); `cluster-node-timeout 2000` so the
/// cluster notices within seconds.
final class RedisClusterServers: Sendable {
    let nodes: [RedisServer]
    /// The password every node asks for (`requirepass`, and `masterauth` between nodes); nil: none.
    let password: String?

    init(password: String? = nil) throws {
        self.password = password
        let auth = password.map { ["--requirepass", $0, "--masterauth", $0] } ?? []
        var made: [RedisServer] = []
        for _ in 0..<3 {
            // The bus port is the port + 10000 unless set: a free port of its own (a high port + 10000 is no port).
            made.append(try RedisServer(extra: ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                                                "--cluster-port", String(try LoopbackPort.free()),
                                                "--cluster-node-timeout", "2000",
                                                "--cluster-require-full-coverage", "no"] + auth))
        }
        nodes = made
        let create = try PowertoolsVenv.run("/usr/bin/redis-cli", ["--cluster", "create"]
            + made.map { "127.0.0.1:\($0.port)" } + ["--cluster-replicas", "0", "--cluster-yes"], environment: env)
        guard create.code == 0 else { throw HarnessError("redis-cli --cluster create failed: \(create.out) \(create.err)") }
        try waitUntil(seconds: 60, "cluster_state:ok on every node") {
            try made.allSatisfy { try $0.cli(["CLUSTER", "INFO"], environment: env).contains("cluster_state:ok") }
        }
    }

    /// redis-cli's password (REDISCLI_AUTH), when the nodes have one.
    var env: [String: String] { password.map { ["REDISCLI_AUTH": $0] } ?? [:] }

    /// The first node: where idemtop and the libraries are pointed (they find the others).
    var seed: RedisServer { nodes[0] }
    var url: String { seed.url }

    /// The node that holds `key` now (its EXISTS answers 1; the others answer MOVED or 0).
    func owner(of key: String) -> RedisServer? {
        nodes.first { (try? $0.cli(["EXISTS", key], environment: env)) == "1" }
    }

    /// The node serving `slot`, from the seed's CLUSTER SHARDS as redis-cli prints it.
    func node(servingSlot slot: Int) throws -> RedisServer? {
        try nodes.first { n in
            let id = try n.cli(["CLUSTER", "MYID"])
            let mine = try n.cli(["CLUSTER", "NODES"]).split(separator: "\n").first { $0.hasPrefix(id) } ?? ""
            return mine.split(separator: " ").dropFirst(8).contains { r in
                let ends = r.split(separator: "-").compactMap { Int($0) }
                return ends.count == 2 ? (ends[0]...ends[1]).contains(slot) : ends.first == slot
            }
        }
    }

    /// Empties every node.
    func flush() throws { for n in nodes { try n.cli(["FLUSHALL"]) } }

    /// Moves `slot` from `source` to `target` the way `redis-cli --cluster reshard` does: IMPORTING on the target,
    /// MIGRATING on the source, MIGRATE of its keys, then SETSLOT NODE on both and the third node. `between` runs
    /// after the keys moved and before the slot's owner changes (the window where reads get ASK).
    func migrate(slot: Int, from source: RedisServer, to target: RedisServer, between: () throws -> Void = {}) throws {
        let sourceID = try source.cli(["CLUSTER", "MYID"]), targetID = try target.cli(["CLUSTER", "MYID"])
        try target.cli(["CLUSTER", "SETSLOT", String(slot), "IMPORTING", sourceID])
        try source.cli(["CLUSTER", "SETSLOT", String(slot), "MIGRATING", targetID])
        while true {
            let keys = try source.cli(["CLUSTER", "GETKEYSINSLOT", String(slot), "100"])
                .split(separator: "\n").map(String.init).filter { !$0.isEmpty }
            if keys.isEmpty { break }
            try source.cli(["MIGRATE", "127.0.0.1", String(target.port), "", "0", "5000", "KEYS"] + keys)
        }
        try between()
        for n in [target, source] + nodes.filter({ $0 !== source && $0 !== target }) {
            try n.cli(["CLUSTER", "SETSLOT", String(slot), "NODE", targetID])
        }
    }

    func waitUntil(seconds: Double, _ what: String, _ done: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if (try? done()) == true { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw HarnessError("no \(what) within \(Int(seconds)) s")
    }
}
