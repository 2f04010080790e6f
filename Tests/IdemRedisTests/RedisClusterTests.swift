import Foundation
import IdemCore
import IdemStore
import IdemTestSupport
import Testing
@testable import IdemRedis

/// A real three-primary Redis Cluster (made by the test with `redis-cli --cluster create`), with records written by
/// the real aws-lambda-powertools 3.37.0 through redis-py's `RedisCluster` client (CachePersistenceLayer takes it:
/// its `client=` is any object with get/set/delete, and its own `RedisConnection(mode="cluster")` builds this class).
/// Each test makes its own cluster: some stop a node or move a slot.
@Suite(.serialized) struct RedisClusterTests {
    /// Orders whose Powertools keys land on every shard (the test checks it).
    static let orders = (1...24).map { "order-c\($0)" }

    static func fixture(_ cluster: RedisClusterServers) -> RedisFixture {
        var fx = RedisFixture(server: cluster.seed)
        fx.cluster = true
        return fx
    }

    @Test func theSlotOfAKeyIsTheServersOwn() throws {
        let cluster = try RedisClusterServers()
        // CRC16 with hash tags, against CLUSTER KEYSLOT (the slot the server itself computes).
        let keys = ["", "a", "foo", "{user1000}.following", "{user1000}.followers", "foo{}{bar}", "foo{{bar}}zap",
                    "foo{bar}{zap}", "{}x", "payments-fn.app.handler#" + md5Hex("\"order-1\""), "café", "x{y"]
        for key in keys {
            #expect(RedisSlot.of(key) == Int(try cluster.seed.cli(["CLUSTER", "KEYSLOT", key])) ?? -1, "\(key)")
        }
    }

    @Test func everyShardIsReadAndStatusesArePowertoolsOwn() throws {
        let cluster = try RedisClusterServers()
        let fx = RedisClusterTests.fixture(cluster)
        let answers = try fx.drive(RedisClusterTests.orders.map { RedisFixture.invoke($0) }
            + [RedisFixture.invoke("order-c1"), RedisFixture.invoke("order-c-raised", mode: "raise")])
        #expect(answers.last?["error"] as? String == "RuntimeError")
        let sizes = try cluster.nodes.map { Int(try $0.cli(["DBSIZE"])) ?? 0 }
        #expect(sizes.allSatisfy { $0 > 0 } && sizes.reduce(0, +) == RedisClusterTests.orders.count, "\(sizes)")
        let at = Instant(ms: Int64(Date().timeIntervalSince1970 * 1000))
        let theirs = try fx.powertoolsStatuses(atMs: at.ms)
        #expect(theirs.count == RedisClusterTests.orders.count)
        // cluster=1, and discovered from INFO cluster without it: the same records.
        for options in ["cluster=1", ""] {
            let ours = try fx.idemtopStatuses(atMs: at.ms, options: options)
            #expect(ours == theirs, "options '\(options)'")
        }
        // The reader went through every primary.
        let reader = try fx.reader("tracking=0")
        var events: [StoreEvent] = [], malformed: [MalformedEntry] = [], notices: [String] = []
        #expect(try RedisFixture.poll(reader, into: &events, malformed: &malformed, notices: &notices) { _, _ in
            reader.passes >= 1
        })
        #expect(reader.isCluster && Set(reader.primaries) == Set(cluster.nodes.map { "127.0.0.1:\($0.port)" }))
        #expect(Set(events.filter { $0.kind == .request }.map(\.token)).count == RedisClusterTests.orders.count)
        // cluster=0 reads the seed alone, and says so.
        let alone = try fx.reader("cluster=0&tracking=0")
        var e0: [StoreEvent] = [], m0: [MalformedEntry] = [], n0: [String] = []
        _ = try RedisFixture.poll(alone, into: &e0, malformed: &m0, notices: &n0) { _, _ in alone.passes >= 1 }
        #expect(!alone.isCluster && e0.filter { $0.kind == .request }.count == sizes[0])
        #expect(n0.contains { $0.contains("cluster=0: only its own keys are read") }, "\(n0)")
    }

    @Test func everyNodeIsReadWithTheLocationsPassword() throws {
        let cluster = try RedisClusterServers(password: "cluster-pw")
        var fx = RedisClusterTests.fixture(cluster)
        fx.password = "cluster-pw"
        _ = try fx.drive(RedisClusterTests.orders.prefix(12).map { RedisFixture.invoke($0) })
        let sizes = try cluster.nodes.map { Int(try $0.cli(["DBSIZE"], environment: cluster.env)) ?? 0 }
        #expect(sizes.filter { $0 > 0 }.count >= 2 && sizes.reduce(0, +) == 12, "\(sizes)")
        let r = try IdemtopBinary.run(["list", fx.url("password_env=PW"), "--format", "json"], environment: ["PW": "cluster-pw"])
        let rows = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [Any]
        #expect(r.code == 0 && rows?.count == 12, "\(r.err)")
        // Without it: one line, from the first node asked.
        let refused = try IdemtopBinary.run(["list", fx.url(), "--format", "json"])
        #expect(refused.code != 0 && refused.err.contains("authentication failed"), "\(refused.err)")
        #expect(refused.err.split(separator: "\n").count == 1, "\(refused.err)")
    }

    @Test func aKeyOnAnotherNodeIsPurgedThroughTheSeed() throws {
        let cluster = try RedisClusterServers()
        let fx = RedisClusterTests.fixture(cluster)
        _ = try fx.drive(RedisClusterTests.orders.prefix(12).map { RedisFixture.invoke($0) })
        let elsewhere = try #require(RedisClusterTests.orders.prefix(12).map { PowertoolsRedisTests.key($0) }
            .first { cluster.owner(of: $0).map { $0 !== cluster.seed } ?? false })
        let token = String(elsewhere.split(separator: "#")[1])
        let audit = RedisPurgeTests.auditPath()
        defer { try? FileManager.default.removeItem(at: audit) }
        let r = try IdemtopBinary.run(["purge", fx.url("audit=\(audit.path)"), token, "--reason", "cluster test", "--yes"])
        #expect(r.code == 0, "\(r.out) \(r.err)")
        #expect(cluster.owner(of: elsewhere) == nil, "the key is gone from every node")
        #expect(try cluster.nodes.map { Int(try $0.cli(["DBSIZE"])) ?? 0 }.reduce(0, +) == 11)
        let lines = try String(contentsOf: audit, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains(token) && lines[0].contains("\"kind\":\"purge\""))
        // A token no node holds is refused, nothing deleted.
        let missing = try IdemtopBinary.run(["purge", fx.url("audit=\(audit.path)"), token, "--reason", "again", "--yes"])
        #expect(missing.code != 0)
    }

    @Test func aSlotMigratedDuringAFollowLosesNoRecord() throws {
        let cluster = try RedisClusterServers()
        let fx = RedisClusterTests.fixture(cluster)
        _ = try fx.drive(RedisClusterTests.orders.prefix(12).map { RedisFixture.invoke($0) })
        let reader = try fx.reader("poll=200ms")
        var events: [StoreEvent] = [], malformed: [MalformedEntry] = [], notices: [String] = []
        #expect(try RedisFixture.poll(reader, into: &events, malformed: &malformed, notices: &notices) { _, _ in
            reader.passes >= 1
        })
        #expect(events.filter { $0.kind == .request }.count == 12)
        let key = PowertoolsRedisTests.key("order-c1")
        let token = String(key.split(separator: "#")[1])
        let source = try #require(cluster.owner(of: key))
        let target = try #require(cluster.nodes.first { $0 !== source })
        let slot = RedisSlot.of(key)
        try cluster.migrate(slot: slot, from: source, to: target) {
            // The key is on the target, the slot still the source's: reads of it get ASK. Whole passes go by.
            let passes = reader.passes
            let went = try RedisFixture.poll(reader, into: &events, malformed: &malformed, notices: &notices) { _, _ in
                reader.passes >= passes + 2
            }
            #expect(went)
        }
        let passes = reader.passes
        #expect(try RedisFixture.poll(reader, into: &events, malformed: &malformed, notices: &notices) { _, _ in
            reader.passes >= passes + 2
        })
        #expect(cluster.owner(of: key) === target)
        // Nothing vanished or changed while the slot moved.
        #expect(!events.contains { $0.kind == .failed || $0.kind == .purge }, "\(events.map { ($0.kind, $0.token) })")
        #expect(events.filter { $0.kind == .request }.count == 12, "\(notices)")
        // The key is followed where it went: deleted there, the reader sees it.
        try target.cli(["DEL", key])
        #expect(try RedisFixture.poll(reader, into: &events, malformed: &malformed, notices: &notices) { e, _ in
            e.contains { $0.kind == .purge && $0.token == token }
        }, "\(notices)")
        #expect(malformed.isEmpty, "\(malformed)")
        // A command about a key sent with a map from before its slot moved: the old node's MOVED is followed, and
        // the map moves the slot; the purge (a fresh map) deletes it on its new node.
        let other = try #require(RedisClusterTests.orders.prefix(12).map { PowertoolsRedisTests.key($0) }
            .first { $0 != key && cluster.owner(of: $0) !== target })
        let from = try #require(cluster.owner(of: other))
        let stale = try RedisNodes(config: try RedisConfig(url: fx.url()), password: nil)
        try cluster.migrate(slot: RedisSlot.of(other), from: from, to: target)
        #expect(stale.endpoint(forKey: other) == "127.0.0.1:\(from.port)")
        #expect(try stale.command(forKey: other, ["EXISTS", other]).int == 1)
        #expect(stale.mapChanged && stale.endpoint(forKey: other) == "127.0.0.1:\(target.port)")
        let audit = RedisPurgeTests.auditPath()
        defer { try? FileManager.default.removeItem(at: audit) }
        let otherToken = String(other.split(separator: "#")[1])
        let purge = try IdemtopBinary.run(["purge", fx.url("audit=\(audit.path)"), otherToken, "--reason", "moved", "--yes"])
        #expect(purge.code == 0 && cluster.owner(of: other) == nil, "\(purge.out) \(purge.err)")
    }

    @Test func aRedirectedReadFollowsMovedAndAsk() throws {
        let cluster = try RedisClusterServers()
        let fx = RedisClusterTests.fixture(cluster)
        _ = try fx.drive([RedisFixture.invoke("order-c2")])
        let key = PowertoolsRedisTests.key("order-c2")
        let source = try #require(cluster.owner(of: key))
        let target = try #require(cluster.nodes.first { $0 !== source })
        let nodes = try RedisNodes(config: try RedisConfig(url: fx.url()), password: nil)
        try cluster.migrate(slot: RedisSlot.of(key), from: source, to: target) {
            // The map says the source; the source answers ASK; the read goes to the target after ASKING.
            #expect(nodes.endpoint(forKey: key) == "127.0.0.1:\(source.port)")
            guard case .value(let v, _) = try nodes.get([key])[0] else { Issue.record("not read during ASK"); return }
            #expect(String(decoding: v, as: UTF8.self).contains("COMPLETED"))
            #expect(!nodes.mapChanged, "ASK is for one command: the map stays")
        }
        // Now the source answers MOVED: the read follows it and the map moves the slot.
        guard case .value = try nodes.get([key])[0] else { Issue.record("not read after MOVED"); return }
        #expect(nodes.mapChanged && nodes.endpoint(forKey: key) == "127.0.0.1:\(target.port)")
        #expect(try nodes.refresh() && !nodes.mapChanged)
    }

    @Test func aNodeStoppedMidFollowIsOneLineAndTheFollowGoesOn() throws {
        let cluster = try RedisClusterServers()
        let fx = RedisClusterTests.fixture(cluster)
        _ = try fx.drive(RedisClusterTests.orders.prefix(12).map { RedisFixture.invoke($0) })
        let reader = try fx.reader("poll=200ms")
        var events: [StoreEvent] = [], malformed: [MalformedEntry] = [], notices: [String] = []
        #expect(try RedisFixture.poll(reader, into: &events, malformed: &malformed, notices: &notices) { _, _ in
            reader.passes >= 1
        })
        let stopped = cluster.nodes[2]
        let onStopped = try Int(stopped.cli(["DBSIZE"])) ?? 0
        #expect(onStopped > 0)
        stopped.stop()
        let line = "cluster node 127.0.0.1:\(stopped.port)"
        #expect(try RedisFixture.poll(reader, into: &events, malformed: &malformed, notices: &notices) { _, n in
            n.contains { $0.hasPrefix(line) }
        }, "\(notices)")
        // A new record on a node still up arrives; the stopped node's keys are kept, not reported gone.
        let live = try #require((1...40).map { "order-live\($0)" }.first { body in
            let slot = RedisSlot.of(PowertoolsRedisTests.key(body))
            return (try? cluster.node(servingSlot: slot)).map { $0 !== stopped } ?? false
        })
        _ = try fx.drive([RedisFixture.invoke(live)])
        let liveToken = String(PowertoolsRedisTests.key(live).split(separator: "#")[1])
        #expect(try RedisFixture.poll(reader, into: &events, malformed: &malformed, notices: &notices) { e, _ in
            e.contains { $0.kind == .completed && $0.token == liveToken }
        }, "\(notices)")
        let passes = reader.passes
        #expect(try RedisFixture.poll(reader, into: &events, malformed: &malformed, notices: &notices) { _, _ in
            reader.passes >= passes + 3
        })
        #expect(notices.filter { $0.hasPrefix(line) }.count == 1, "\(notices)")
        #expect(!events.contains { $0.kind == .failed || $0.kind == .purge }, "\(notices)")
    }
}
