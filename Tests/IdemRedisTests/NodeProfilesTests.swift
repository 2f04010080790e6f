import Foundation
import IdemCore
import IdemStore
import IdemTestSupport
import Testing
@testable import IdemRedis

/// The Node libraries' records. Node cannot run on this machine, so these fixtures are written with redis-cli
/// exactly as each library's source writes them (cited in docs/redis.md):
/// - node-idempotency (mahendraHegde/node-idempotency, packages/core/src/idempotency.ts and
///   storage-adapter-redis): key `node-idempotency:{method}:{path}:{key}`, `SET ... NX PX ttl` of
///   `{"status":"IN_PROGRESS","fingerPrint":...}`, then `SET ... PX ttl` of `{"status":"COMPLETE",...,"response":{...}}`;
/// - express-idempotency (VilledeMontreal/express-idempotency with alias-rahil/express-idempotency-redis-adapter):
///   the raw key, `SET key JSON EX 86400` of `{request, createdAt}`, then the same with `response`.
@Suite(.serialized) struct NodeProfilesTests {
    static let server = Result { try RedisServer() }
    let fx: RedisFixture

    init() throws { fx = RedisFixture(server: try NodeProfilesTests.server.get()) }

    static func list(_ fx: RedisFixture, _ options: String, at: Instant? = nil) throws -> [String: [String: Any]] {
        var args = ["list", fx.url(options), "--format", "json"]
        if let at { args += ["--at", at.rfc3339] }
        let r = try IdemtopBinary.run(args)
        guard r.code == 0 else { throw HarnessError("idemtop list failed (\(r.code)): \(r.err)") }
        let rows = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [[String: Any]] ?? []
        var out: [String: [String: Any]] = [:]
        for row in rows { if let t = row["token"] as? String { out[t] = row } }
        return out
    }

    @Test func nodeIdempotencyInProgressIsNeverStuckAndCompleteReplays() throws {
        try fx.server.cli(["FLUSHALL"])
        try fx.server.cli(["SET", "node-idempotency:POST:/v1/charges:key-1",
                           #"{"status":"IN_PROGRESS","fingerPrint":"9f2c"}"#, "NX", "PX", "86400000"])
        try fx.server.cli(["SET", "node-idempotency:POST:/v1/charges:key-2",
                           #"{"status":"COMPLETE","fingerPrint":"77aa","response":{"body":{"id":"ch_1"},"additional":{"statusCode":201}}}"#,
                           "PX", "86400000"])
        try fx.server.cli(["SET", "other:key", "not ours"])
        let now = Instant(ms: Int64(Date().timeIntervalSince1970 * 1000))
        let rows = try NodeProfilesTests.list(fx, "profile=node-idempotency")
        #expect(rows.count == 2, "the match pattern node-idempotency:* leaves other keys out")
        #expect(rows["key-1"]?["status"] as? String == "in_progress")
        #expect(rows["key-1"]?["operation"] as? String == "POST /v1/charges")
        #expect(rows["key-1"]?["tenant"] as? String == "node-idempotency")
        #expect(rows["key-2"]?["status"] as? String == "completed")
        // No deadline of its own: an hour later IN_PROGRESS still refuses retries (REQUEST_IN_PROGRESS).
        let later = try NodeProfilesTests.list(fx, "profile=node-idempotency", at: now + .seconds(3600))
        #expect(later["key-1"]?["status"] as? String == "in_progress")
        // Past the PX the key is gone: expired.
        let dayLater = try NodeProfilesTests.list(fx, "profile=node-idempotency", at: now + .seconds(86_401))
        #expect(dayLater["key-2"]?["status"] as? String == "expired")
    }

    @Test func expressIdempotencyResponseMeansCompletedAndTheLeaseMakesStuck() throws {
        try fx.server.cli(["FLUSHALL"])
        let created = Instant(ms: Int64(Date().timeIntervalSince1970 * 1000) - 120_000).rfc3339
        let request = #"{"body":{"amount":10},"headers":{"idempotency-key":"k1"},"method":"POST","query":{},"url":"/orders"}"#
        try fx.server.cli(["SET", "k1", #"{"request":\#(request),"createdAt":"\#(created)"}"#, "EX", "86400"])
        try fx.server.cli(["SET", "k2", #"{"request":\#(request),"createdAt":"\#(created)","response":{"statusCode":201,"headers":{"content-type":"application/json"},"body":"{\"id\":7}"}}"#, "EX", "86400"])
        let plain = try NodeProfilesTests.list(fx, "profile=express-idempotency")
        #expect(plain["k1"]?["status"] as? String == "in_progress")
        #expect(plain["k1"]?["operation"] as? String == "POST /orders")
        #expect(plain["k2"]?["status"] as? String == "completed")
        // processingTimeout (60 s) and a resource created two minutes ago: isLeaseExpired, a retry takes over.
        let lease = try NodeProfilesTests.list(fx, "profile=express-idempotency&processing_timeout=60s")
        #expect(lease["k1"]?["status"] as? String == "stuck")
        let shown = try IdemtopBinary.run(["show", fx.url("profile=express-idempotency"), "k2", "--format", "json"])
        #expect(shown.code == 0, "\(shown.err)")
        #expect(shown.out.contains("/orders") && shown.out.contains("201"))
    }
}
