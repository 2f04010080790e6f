import IdemCore
import IdemDynamo
import Testing
@testable import IdemRedis

/// The Foundation-free decoding of Powertools values: the plain shape read directly, everything else left to
/// JSONSerialization (so the results and the reasons stay what they were).
@Suite struct RedisFastDecodeTests {
    static let python = RedisProfile(.powertools)
    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test func plainPowertoolsValueIsReadDirectly() throws {
        let value = #" {"data": "{\"statusCode\": 201, \"body\": \"ok\"}", "status": "COMPLETED", "expiration": 1700000000, "validation": "abc", "x": [1, {"y": null}]} "#
        let f = try #require(RedisRecord.fastPowertools(Self.bytes(value), profile: Self.python))
        #expect(f.status == "COMPLETED")
        #expect(f.expiration == 1_700_000_000)
        #expect(f.inProgressExpiration == nil)
        #expect(f.fingerprint == "abc")
        #expect(f.response == StoredResponse(status: 201, body: #"{"statusCode": 201, "body": "ok"}"#))
        let r = try RedisRecord(key: "fn.app#t1", value: Self.bytes(value), pttl: -1, at: Instant(ms: 0),
                                profile: Self.python)
        #expect(r.stored == .completed && r.token == "t1" && r.fingerprint == "abc" && r.response?.status == 201)
    }

    @Test func unusualShapesFallBackToFoundation() throws {
        let odd = [
            #"{"status": "COMPLETED", "expiration": 1700000000.7}"#,  // a fraction
            #"{"status": "COMPLETED", "expiration": true}"#,
            #"{"status": "COMPLETED", "validation": 12}"#,
            #"{"status": "COMPLETED", "data": {"statusCode": 200}}"#,
            #"{"status": "COMPLETED", "status": "INPROGRESS"}"#,  // a wanted name twice
            #"{"status": "COMPLETED"} x"#,
            #"{"status": "COMPLÉTED"}"#,
            #"{"status": "\u0043OMPLETED"}"#,
            #"["status"]"#,
            #"{"status": "COMPLETED""#,
        ]
        for v in odd { #expect(RedisRecord.fastPowertools(Self.bytes(v), profile: Self.python) == nil, "\(v)") }
        let r = try RedisRecord(key: "k", value: Self.bytes(odd[0]), pttl: -1, at: Instant(ms: 0), profile: Self.python)
        #expect(r.expiration == 1_700_000_000)
        let escaped = try RedisRecord(key: "k", value: Self.bytes(odd[7]), pttl: -1, at: Instant(ms: 0),
                                      profile: Self.python)
        #expect(escaped.stored == .completed)
        #expect(throws: RedisRecord.Unreadable.self) {
            try RedisRecord(key: "k", value: Self.bytes(odd[5]), pttl: -1, at: Instant(ms: 0), profile: Self.python)
        }
    }

    @Test func dataStatusCodeFollowsTheFoundationRules() throws {
        func status(_ data: String) throws -> Int? {
            let v = #"{"status": "COMPLETED", "data": "\#(data)"}"#
            return try RedisRecord(key: "k", value: Self.bytes(v), pttl: -1, at: Instant(ms: 0),
                                   profile: Self.python).response?.status
        }
        #expect(try status(#"{\"StatusCode\": 404}"#) == 404)
        #expect(try status(#"{\"statusCode\": 202, \"StatusCode\": 404}"#) == 202)
        #expect(try status(#"{\"statusCode\": null, \"StatusCode\": 404}"#) == 200)
        #expect(try status(#"{\"statusCode\": 201.0}"#) == 201)
        #expect(try status("plain text") == 200)
    }
}

/// The byte-level key split gives `PowertoolsRecord.split`'s cuts.
@Suite struct RedisKeySplitTests {
    @Test func asciiAndOtherKeysSplitAsPowertoolsDoes() {
        for key in ["fn.app.handler#abc", "fn#abc", "noseparator", "a.b#c#d", "#t", ".#", "fn.op#", "tén.op#tok",
                    "fn.op#\u{301}x", ""] {
            let fast = RedisRecord.splitPowertools(key), slow = PowertoolsRecord.split(key)
            #expect(fast.tenant == slow.tenant && fast.operation == slow.operation && fast.token == slow.token, "\(key)")
        }
    }
}
