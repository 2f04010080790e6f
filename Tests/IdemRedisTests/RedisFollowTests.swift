import Foundation
import IdemCore
import IdemStore
import IdemTestSupport
import Testing
@testable import IdemRedis

/// Following a live Redis: changes between scans from CLIENT TRACKING, keys vanishing at their TTL and coming back,
/// keys deleted before expiry, and the server restarting under the reader.
@Suite(.serialized) struct RedisFollowTests {
    static let server = Result { try RedisServer() }
    let fx: RedisFixture

    init() throws { fx = RedisFixture(server: try RedisFollowTests.server.get()) }

    @Test func trackingInvalidationsBringChangesWithoutARescan() throws {
        try fx.server.cli(["FLUSHALL"])
        _ = try fx.drive([RedisFixture.invoke("order-1")])
        // A rescan only every ten minutes: whatever arrives sooner came from the invalidations.
        let reader = try fx.reader("poll=10m")
        var events: [StoreEvent] = [], malformed: [MalformedEntry] = [], notices: [String] = []
        #expect(try RedisFixture.poll(reader, into: &events, malformed: &malformed, notices: &notices) { e, _ in
            e.contains { $0.kind == .completed }
        })
        #expect(reader.followsInvalidations && reader.passes == 1)
        _ = try fx.drive([RedisFixture.invoke("order-2")])
        let token2 = PowertoolsRedisTests.key("order-2").split(separator: "#")[1]
        #expect(try RedisFixture.poll(reader, into: &events, malformed: &malformed, notices: &notices) { e, _ in
            e.contains { $0.kind == .completed && $0.token == token2 }
        })
        #expect(reader.passes == 1, "seen without a second pass")
        // An in-progress record deleted before its expiry: the handler raised (Powertools deletes it).
        try fx.server.cli(["SET", "payments-fn.app.handler#raised", #"{"status": "INPROGRESS", "expiration": 4102444800, "in_progress_expiration": 4102444800000}"#, "EX", "600"])
        #expect(try RedisFixture.poll(reader, into: &events, malformed: &malformed, notices: &notices) { e, _ in
            e.contains { $0.token == "raised" && $0.outcome == .executed }
        })
        try fx.server.cli(["DEL", "payments-fn.app.handler#raised"])
        #expect(try RedisFixture.poll(reader, into: &events, malformed: &malformed, notices: &notices) { e, _ in
            e.contains { $0.token == "raised" && $0.kind == .failed }
        })
    }

    @Test func aKeyBackAfterItsTTLIsReexecuted() throws {
        try fx.server.cli(["FLUSHALL"])
        let reader = try fx.reader("poll=200ms")
        var events: [StoreEvent] = [], malformed: [MalformedEntry] = [], notices: [String] = []
        #expect(try RedisFixture.poll(reader, seconds: 60, into: &events, malformed: &malformed, notices: &notices) { _, _ in
            reader.passes >= 1
        })
        let key = PowertoolsRedisTests.key("order-3")
        let token = String(key.split(separator: "#")[1])
        // A record that expires 1 s after it completes, its key written without Redis's TTL: the test lets Redis
        // drop it (PEXPIRE) only once the reader has seen it and the record is past its expiration, as Redis would
        // at its TTL. A real 1 s TTL raced the reader on a loaded machine (the key gone before it was read).
        var once = RedisFixture.invoke("order-3", expiresAfter: 1)
        once["without_ttl"] = "all"
        _ = try fx.drive([once])
        #expect(try RedisFixture.poll(reader, seconds: 60, into: &events, malformed: &malformed, notices: &notices) { e, _ in
            e.contains { $0.token == token && $0.outcome == .executed }
        })
        // Until the record is expired as the library decides it (its expiration second passed).
        let tokenKey = RedisRecord.tokenKey(ofKey: key, library: .powertools)
        let pastIt = Date().addingTimeInterval(60)
        var status = try reader.record(for: tokenKey)?.status(at: SystemClock().now())
        while status != .expired, Date() < pastIt {
            _ = try reader.poll(limit: 10_000, { events.append($0) }, malformed: { malformed.append($0) })
            notices += reader.drainNotices()
            Thread.sleep(forTimeInterval: 0.05)
            status = try reader.record(for: tokenKey)?.status(at: SystemClock().now())
        }
        #expect(status == .expired, "the record's expiration passed")
        #expect(try fx.server.cli(["PEXPIRE", key, "1"]) == "1")
        // Redis drops it at its TTL: a notice, no event.
        #expect(try RedisFixture.poll(reader, seconds: 60, into: &events, malformed: &malformed, notices: &notices) { _, n in
            n.contains { $0.contains("expired (dropped at their TTL)") }
        }, "\(notices)")
        #expect(!events.contains { $0.token == token && ($0.kind == .failed || $0.kind == .purge) })
        #expect(try fx.server.cli(["EXISTS", key]) == "0")
        _ = try fx.drive([once])
        #expect(try RedisFixture.poll(reader, seconds: 60, into: &events, malformed: &malformed, notices: &notices) { e, _ in
            e.contains { $0.token == token && $0.outcome == .reexecuted }
        })
    }

    @Test func theServerRestartingMidFollowIsOneNoticeAndAReconnect() throws {
        try fx.server.cli(["FLUSHALL"])
        _ = try fx.drive([RedisFixture.invoke("order-7")])
        let reader = try fx.reader("poll=200ms")
        var events: [StoreEvent] = [], malformed: [MalformedEntry] = [], notices: [String] = []
        #expect(try RedisFixture.poll(reader, into: &events, malformed: &malformed, notices: &notices) { e, _ in
            e.contains { $0.kind == .completed }
        })
        try fx.server.restart()
        // The restarted server is empty (no persistence); the service writes again.
        _ = try fx.drive([RedisFixture.invoke("order-8")])
        let token8 = PowertoolsRedisTests.key("order-8").split(separator: "#")[1]
        #expect(try RedisFixture.poll(reader, seconds: 60, into: &events, malformed: &malformed, notices: &notices) { e, _ in
            e.contains { $0.kind == .completed && $0.token == token8 }
        }, "\(notices)")
        let lost = notices.filter { $0.contains("connection lost") || $0.contains("closed") }
        #expect(lost.count == 1, "\(notices)")
        #expect(notices.contains { $0.hasPrefix("reconnected to 127.0.0.1:\(fx.server.port)") }, "\(notices)")
    }
}
