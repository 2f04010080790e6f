import Foundation
import IdemCore
import IdemStore
import IdemTestSupport
import Testing
@testable import IdemRedis

/// The pipelined scan on a real redis-server: many pages (a page's GET/PTTL sent with the next SCAN), a lock key
/// kept across passes and dropped when it goes, a key deleted between two passes, a key of another type.
@Suite(.serialized) struct RedisScanPassTests {
    static let server = Result { try RedisServer() }
    let fx: RedisFixture

    init() throws { fx = RedisFixture(server: try RedisScanPassTests.server.get()) }

    /// A completed Powertools value; `%d` is the record's number.
    static let value = #"{"status": "COMPLETED", "expiration": 1900000000, "data": "{\"statusCode\": 201, \"body\": \"n%d\"}"}"#

    @Test func pagesLocksAndVanishedKeysOverTwoPasses() throws {
        try fx.server.cli(["-n", "5", "FLUSHDB"])  // database 5 only: no other suite's keys touched
        _ = try fx.server.cli(["-n", "5", "EVAL", "for i = 0, 249 do redis.call('SET', 'fn.app#t' .. i, string.format(ARGV[1], i)) end",
                               "0", Self.value])
        _ = try fx.server.cli(["-n", "5", "SET", "fn.app#t7:lock", "True"])
        _ = try fx.server.cli(["-n", "5", "HSET", "fn.app#hash", "a", "b"])
        let location = try RedisDriver().location(forced: fx.server.url + "/5?count=50&poll=100ms&tracking=0")
        let reader = try RedisReader(location: location, config: try RedisDriver.config(location), password: nil)
        var events: [StoreEvent] = [], malformed: [MalformedEntry] = [], notices: [String] = []
        #expect(try RedisFixture.poll(reader, into: &events, malformed: &malformed, notices: &notices) { _, _ in
            reader.passes >= 1
        })
        #expect(Set(events.filter { $0.kind == .completed }.map(\.token)).count == 250)
        #expect(events.first { $0.token == "t42" && $0.kind == .completed }?.response
                == StoredResponse(status: 201, body: #"{"statusCode": 201, "body": "n42"}"#))
        #expect(malformed.count == 1 && malformed[0].reason.contains("WRONGTYPE"), "\(malformed)")
        #expect(reader.findings.contains(RedisFinding(kind: .orphanTakeover, key: "fn.app#t7")))
        #expect(notices.contains { $0.hasPrefix("1 orphan takeover lock(s)") }, "\(notices)")
        #expect(reader.redisKey(for: TokenKey(tenant: "fn", token: "t9")) == "fn.app#t9")

        _ = try fx.server.cli(["-n", "5", "DEL", "fn.app#t3", "fn.app#t7:lock"])
        let passes = reader.passes
        #expect(try RedisFixture.poll(reader, into: &events, malformed: &malformed, notices: &notices) { _, _ in
            reader.passes >= passes + 1
        })
        #expect(events.contains { $0.token == "t3" && $0.kind == .purge })
        #expect(events.filter { $0.kind == .purge }.count == 1, "only the deleted key is gone")
        #expect(!reader.findings.contains { $0.kind == .orphanTakeover })
        #expect(events.filter { $0.kind == .request }.count == 250, "an unchanged key makes no event on a rescan")
    }

    /// Keys SCAN listed that change before their GET: one expires (PTTL gone, GET nil: vanished, no entry), one
    /// becomes a hash (WRONGTYPE: unreadable), one is deleted; the rest of the page is read as usual.
    @Test func keysChangingBetweenScanAndGet() throws {
        try fx.server.cli(["-n", "6", "FLUSHDB"])
        _ = try fx.server.cli(["-n", "6", "EVAL", "for i = 0, 59 do redis.call('SET', 'fn.app#k' .. i, string.format(ARGV[1], i)) end",
                               "0", Self.value])
        var config = try RedisConfig(url: fx.server.url + "/6")
        config.tracking = false
        let conn = try RedisConnection(config: config, password: nil)
        var pass = RedisScanPass(match: "*", count: 10, lookahead: false)  // the held page not yet asked for
        var read: [String] = []
        var vanished = 0
        var unreadable: [(key: String, reason: String)] = []
        var changed: [String] = []
        while !pass.done {
            let tally = try pass.next(conn) { read.append($0.key) }
            vanished += tally.vanished
            unreadable += tally.wrongType
            let held = pass.heldKeys
            if changed.isEmpty, held.count >= 3 {
                changed = Array(held.prefix(3))
                _ = try fx.server.cli(["-n", "6", "PEXPIRE", changed[0], "1"])
                _ = try fx.server.cli(["-n", "6", "DEL", changed[1]])
                _ = try fx.server.cli(["-n", "6", "HSET", changed[1], "a", "b"])
                _ = try fx.server.cli(["-n", "6", "DEL", changed[2]])
                Thread.sleep(forTimeInterval: 0.05)  // past the 1 ms TTL: the next read finds the key expired
            }
        }
        #expect(changed.count == 3)
        #expect(vanished == 2, "the expired key and the deleted one")
        #expect(unreadable.map(\.key) == [changed[1]] && unreadable[0].reason.contains("WRONGTYPE"), "\(unreadable)")
        #expect(Set(read).count == 57 && read.allSatisfy { !changed.contains($0) })
    }

    /// With look-ahead, the next page's reads go out before this page's values are decoded: every key is read once,
    /// replies are owed between calls, and a pass given up with replies owed leaves its connection to nobody (a new
    /// pass through `RedisNodes` gets a new one and reads everything).
    @Test func lookaheadReadsEveryKeyOnceAndAGivenUpPassLeavesItsConnection() throws {
        try fx.server.cli(["-n", "7", "FLUSHDB"])
        _ = try fx.server.cli(["-n", "7", "EVAL", "for i = 0, 249 do redis.call('SET', 'fn.app#l' .. i, string.format(ARGV[1], i)) end",
                               "0", Self.value])
        _ = try fx.server.cli(["-n", "7", "HSET", "fn.app#h", "a", "b"])
        var config = try RedisConfig(url: fx.server.url + "/7")
        config.tracking = false
        let conn = try RedisConnection(config: config, password: nil)
        var pass = RedisScanPass(match: "*", count: 7)
        var read: [String: Int64] = [:]
        var unreadable: [String] = []
        var owedBetweenPages = 0, pages = 0
        while !pass.done {
            let tally = try pass.next(conn) { read[$0.key] = $0.pttl }
            unreadable += tally.wrongType.map(\.key)
            pages += 1
            if conn.repliesOwed { owedBetweenPages += 1 }
        }
        #expect(read.count == 250 && read.values.allSatisfy { $0 == -1 })
        #expect(unreadable == ["fn.app#h"])
        #expect(pages > 10 && owedBetweenPages >= pages - 2, "\(owedBetweenPages) of \(pages)")
        #expect(!conn.repliesOwed, "nothing owed once the pass is over")

        let nodes = try RedisNodes(config: config, password: nil)
        var givenUp = RedisScanPass(match: "*", count: 7)
        _ = try nodes.scan(config.endpoint, &givenUp) { _ in }
        #expect(try nodes.scanConnection(config.endpoint, fresh: false).repliesOwed)
        var again = RedisScanPass(match: "*", count: 7)
        var keys: Set<String> = []
        while !again.done { _ = try nodes.scan(config.endpoint, &again) { keys.insert($0.key) } }
        #expect(keys.count == 250)
        // The other connection (GET + PTTL of single keys) was never touched by the passes.
        #expect(try nodes.get(["fn.app#l3"]).count == 1)
    }
}
