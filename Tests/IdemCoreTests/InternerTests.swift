import Testing
@testable import IdemCore

/// The string tables the fold keeps (tenants, operations) and the decoder's cache of repeated strings: what they
/// hand back is what a dictionary and a fresh `String` would, whatever the collisions and the growth.
@Suite struct InternerTests {
    @Test func idsFollowFirstUseThroughManyGrowths() {
        var t = Interner()
        var expected: [String: Int32] = [:]
        for i in 0..<20_000 {
            // Every string comes back several times, from storage of its own each time.
            let s = "tenant-\(i % 5_000)-" + String(repeating: "x", count: i % 40)
            let id = t.id(s)
            if let known = expected[s] {
                #expect(id == known)
            } else {
                #expect(id == Int32(expected.count))
                expected[s] = id
            }
        }
        #expect(t.count == expected.count)
        for (s, id) in expected {
            #expect(t.lookup(s) == id)
            #expect(t[id] == s)
        }
        #expect(t.lookup("never seen") == nil)
        #expect(Interner().lookup("") == nil)
        var empty = Interner()
        #expect(empty.id("") == 0)
        #expect(empty.id("") == 0)
        #expect(empty.lookup("") == 0)
    }

    @Test func aTableReadBackKeepsItsOrderAndDropsRepeats() {
        let t = Interner(strings: ["b", "a", "b", "c"])
        #expect(t.strings == ["b", "a", "c"])
        #expect(t.lookup("c") == 2)
    }

    @Test func theByteCacheHandsBackWhatTheBytesSay() {
        var cache = ByteStringCache(slots: 16, longest: 40)
        func get(_ bytes: [UInt8]) -> String { bytes.withUnsafeBufferPointer { cache.string($0) } }
        // Far more strings than slots: every collision must miss, never hand back another string.
        for round in 0..<3 {
            for i in 0..<200 {
                let text = "tok-\(i)-" + String(repeating: "é", count: i % 7)
                #expect(get(Array(text.utf8)) == text, "round \(round), \(i)")
            }
        }
        let long = String(repeating: "y", count: 41)
        #expect(get(Array(long.utf8)) == long)
        #expect(get([]) == "")
        // Bytes that are not UTF-8 come back repaired, every time, and do not stand in for the repaired text.
        let bad: [UInt8] = [0x61, 0xFF, 0x62]
        #expect(get(bad) == "a\u{FFFD}b")
        #expect(get(bad) == "a\u{FFFD}b")
        #expect(get(Array("a\u{FFFD}b".utf8)) == "a\u{FFFD}b")
        #expect(get(Array("a\u{FFFD}b".utf8)).utf8.count == 5)
    }
}
