import Testing
@testable import IdemRedis

/// The RESP parser on bytes as they arrive: whole replies only, RESP3's types folded into RESP2's.
@Suite struct RESPParserTests {
    static func parse(_ chunks: [String]) throws -> [RESPValue] {
        var p = RESPParser()
        var out: [RESPValue] = []
        for c in chunks {
            Array(c.utf8).withUnsafeBytes { p.append($0) }
            while let v = try p.next() { out.append(v) }
        }
        return out
    }

    @Test func repliesSplitAnywhereComeOutWhole() throws {
        let whole = "*2\r\n$3\r\n127\r\n*2\r\n$1\r\na\r\n$-1\r\n:42\r\n-ERR no\r\n+OK\r\n"
        let expected: [RESPValue] = [.array([.bulk(Array("127".utf8)), .array([.bulk([97]), .null])]), .integer(42),
                                     .error("ERR no"), .simple("OK")]
        for cut in 1..<whole.utf8.count {
            let bytes = Array(whole.utf8)
            let a = String(decoding: bytes[..<cut], as: UTF8.self), b = String(decoding: bytes[cut...], as: UTF8.self)
            #expect(try RESPParserTests.parse([a, b]) == expected, "cut at \(cut)")
        }
    }

    @Test func resp3PushMapNullAndBoolean() throws {
        let v = try RESPParserTests.parse([">2\r\n$10\r\ninvalidate\r\n*1\r\n$3\r\nk:1\r\n", "%1\r\n+a\r\n#t\r\n", "_\r\n"])
        #expect(v == [.push([.bulk(Array("invalidate".utf8)), .array([.bulk(Array("k:1".utf8))])]),
                      .array([.simple("a"), .simple("true")]), .null])
    }

    @Test func bytesThatAreNotRESPAreAnError() {
        #expect(throws: RedisError.self) { try RESPParserTests.parse(["HTTP/1.1 400 Bad Request\r\n"]) }
    }
}
