import IdemCore
import Testing
@testable import IdemRedis

/// The change tracker's compact key table: states packed into 40 bytes and back unchanged (those that do not fit
/// kept whole), keys found, replaced and removed (the backward shift keeps every other key findable), growth,
/// and heads past the numbered ones.
@Suite struct RedisKeyTableTests {
    static let python = RedisProfile(.powertools)
    static let now = Instant(ms: 1_800_000_000_123)

    static func record(_ key: String, _ value: String, pttl: Int64 = 3_599_500, profile: RedisProfile = python) throws
        -> RedisRecord {
        try RedisRecord(key: key, value: Array(value.utf8), pttl: pttl, at: now, profile: profile)
    }

    @Test func statesPackAndUnpackUnchanged() throws {
        var express = RedisProfile(.expressIdempotency)
        express.processingTimeoutMs = 30_000
        let records = [
            try Self.record("fn.app#a", #"{"status": "COMPLETED", "expiration": 1800003600, "validation": "v"}"#),
            try Self.record("fn.app#b", #"{"status": "INPROGRESS", "expiration": 1800003600, "in_progress_expiration": 1800000030123}"#),
            try Self.record("fn.app#c", #"{"status": "INPROGRESS", "expiration": 1800003600}"#, pttl: -1),
            try Self.record("fn.app#d", #"{"status": "COMPLETED"}"#, pttl: -1),
            try Self.record("k1", #"{"request": {"method": "POST", "url": "/x"}, "createdAt": 1799999990000}"#,
                            profile: express),
            try Self.record("k2", #"{"request": {"method": "POST", "url": "/x"}, "createdAt": "2027-01-15T08:00:00Z", "response": {"statusCode": 201}}"#,
                            pttl: 86_400_000, profile: express),
        ]
        for r in records {
            var s = RedisKeyState(r)
            s.pass = 7
            let p = try #require(s.packed(head: 3), "\(r.key) should pack")
            #expect(p.head == 3)
            #expect(RedisKeyState(p) == s, "\(r.key)")
        }
        #expect(MemoryLayout<PackedKeyState>.stride == 40)
        // Deadlines far from the expiry (more than 24 days apart) do not pack: the table keeps them whole.
        let far = try Self.record("fn.app#e", #"{"status": "INPROGRESS", "expiration": 1900000000, "in_progress_expiration": 1}"#)
        #expect(RedisKeyState(far).packed(head: 0) == nil)
        var tracker = RedisChangeTracker(expiresAfter: .seconds(3600), library: .powertools)
        _ = tracker.observe(far, at: Self.now, firstPass: true, pass: 1)
        #expect(tracker.state(of: "fn.app#e") == { var s = RedisKeyState(far); s.pass = 1; return s }())
    }

    @Test func keysAreFoundReplacedAndRemovedAsTheTableGrows() throws {
        var table = RedisKeyTable()  // no reserve: it grows from 16 slots
        let n = 5000
        var positions: [Int] = []
        for i in 0..<n {
            let key = i % 3 == 0 ? "key-without-hash-\(i)" : "fn\(i % 7).app#token-\(i)"
            let made = table.find(key, token: nil, insert: true)
            let found = try #require(made)
            #expect(found.inserted)
            var s = RedisKeyState(try Self.record(key, #"{"status": "COMPLETED", "expiration": 1800003600}"#))
            s.pass = UInt32(i)
            table.set(found.position, s)
            positions.append(found.position)
        }
        #expect(table.count == n)
        for i in stride(from: 0, to: n, by: 2) {
            let key = i % 3 == 0 ? "key-without-hash-\(i)" : "fn\(i % 7).app#token-\(i)"
            let removed = table.remove(key)
            #expect(removed?.pass == UInt32(i))
        }
        #expect(table.count == n / 2)
        for i in 0..<n {
            let key = i % 3 == 0 ? "key-without-hash-\(i)" : "fn\(i % 7).app#token-\(i)"
            let found = table.find(key, token: nil, insert: false)
            _ = found
            if i % 2 == 0 {
                #expect(found == nil, "\(key) was removed")
            } else {
                #expect(found?.position == positions[i] && table.key(positions[i]) == key, "\(key)")
                #expect(table.state(positions[i]).pass == UInt32(i))
            }
        }
        // Removed places are reused.
        let made = table.find("fn0.app#new", token: nil, insert: true)
        let again = try #require(made)
        #expect(again.inserted && again.position < n)
    }

    @Test func theTokenIsTheKeysRestAndHeadsPastTheNumberedOnesKeepWholeKeys() throws {
        var table = RedisKeyTable()
        let token = "0123456789abcdef0123456789abcdef"
        let made = table.find("fn.app#" + token, token: token, insert: true)
        let found = try #require(made)
        #expect(table.tails[found.position] == token && table.key(found.position) == "fn.app#" + token)
        for i in 0..<Int(RedisKeyTable.dead) + 10 {
            _ = table.find("head\(i)#t", token: "t", insert: true)
        }
        #expect(table.heads.count == Int(RedisKeyTable.dead))
        let last = "head\(Int(RedisKeyTable.dead) + 5)#t"
        let lookedUp = table.find(last, token: "t", insert: false)
        let p = try #require(lookedUp)
        #expect(table.key(p.position) == last && table.tails[p.position] == last)
        let head0 = table.find("head0#t", token: nil, insert: false)
        let head0u = table.find("head0#u", token: nil, insert: false)
        let unseen = table.find("never-seen#t", token: nil, insert: false)
        #expect(head0 != nil && head0u == nil && unseen == nil)
        let removed = table.remove(last)
        let afterRemove = table.find(last, token: nil, insert: false)
        #expect(removed != nil && afterRemove == nil)
    }
}
