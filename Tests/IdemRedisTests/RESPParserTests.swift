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

    /// The in-place reading of a page's replies: bulk strings as their bytes, arrays as headers, anything else whole;
    /// a reply cut anywhere waits for the rest.
    @Test func rawRepliesSplitAnywhereComeOutWhole() throws {
        let whole = "*2\r\n$1\r\n7\r\n*2\r\n$5\r\nfn#ab\r\n$0\r\n\r\n$10\r\n{\"a\":\r\n1}\r\r\n:-2\r\n$-1\r\n-WRONGTYPE no\r\n:42\r\n"
        let bytes = Array(whole.utf8)
        for cut in 1..<bytes.count {
            var p = RESPParser()
            var out: [String] = []
            for chunk in [bytes[..<cut], bytes[cut...]] {
                Array(chunk).withUnsafeBytes { p.append($0) }
                while let r = try p.nextRaw() {
                    switch r {
                    case .bulk(let range): out.append("bulk " + p.withBytes(range) { String(decoding: $0, as: UTF8.self) })
                    case .integer(let n): out.append("int \(n)")
                    case .null: out.append("null")
                    case .arrayHeader(let n): out.append("array \(n)")
                    case .value(let v): out.append("value \(v)")
                    }
                }
            }
            #expect(out == ["array 2", "bulk 7", "array 2", "bulk fn#ab", "bulk ", "bulk {\"a\":\r\n1}\r", "int -2", "null",
                            "value \(RESPValue.error("WRONGTYPE no"))", "int 42"], "cut at \(cut)")
        }
    }

    @Test func bytesThatAreNotRESPAreAnError() {
        #expect(throws: RedisError.self) { try RESPParserTests.parse(["HTTP/1.1 400 Bad Request\r\n"]) }
    }
}
