/// One reply from a Redis server, RESP2 or RESP3 (https://redis.io/docs/latest/develop/reference/protocol-spec/).
///
/// RESP3's extra types are folded into the RESP2 ones a reader needs: a map or set is an array (a map as
/// alternating keys and values), a double, boolean or big number is its text, a verbatim string its text.
public enum RESPValue: Sendable, Hashable {
    case simple(String)
    case error(String)
    case integer(Int64)
    case bulk([UInt8])
    case array([RESPValue])
    /// A RESP3 push message (`>`): tracking invalidations arrive as these.
    case push([RESPValue])
    /// A nil bulk string, nil array, or RESP3 null.
    case null

    /// The reply as text: a simple or bulk string, an integer's digits; nil for anything else.
    public var text: String? {
        switch self {
        case .simple(let s): return s
        case .bulk(let b): return String(decoding: b, as: UTF8.self)
        case .integer(let i): return String(i)
        default: return nil
        }
    }

    public var int: Int64? {
        switch self {
        case .integer(let i): return i
        case .bulk, .simple: return text.flatMap { Int64($0) }
        default: return nil
        }
    }

    public var array: [RESPValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var errorText: String? {
        if case .error(let e) = self { return e }
        return nil
    }
}

/// Parses RESP replies out of a growing byte buffer: `next()` returns a whole reply or nil when more bytes are needed.
public struct RESPParser {
    private var buffer: [UInt8] = []
    private var start = 0

    public init() {}

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if start > 0, start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next whole reply, or nil when the buffer holds only part of one. Throws on bytes that are not RESP.
    public mutating func next() throws -> RESPValue? {
        var i = start
        guard let v = try parse(&i) else { return nil }
        start = i
        return v
    }

    private func line(_ i: inout Int) -> ArraySlice<UInt8>? {
        var j = i
        let n = buffer.count
        while j + 1 < n {
            if buffer[j] == 13, buffer[j + 1] == 10 {
                let s = buffer[i..<j]
                i = j + 2
                return s
            }
            j += 1
        }
        return nil
    }

    private static func number(_ s: ArraySlice<UInt8>) throws -> Int64 {
        var v: Int64 = 0
        var neg = false
        var any = false
        for b in s {
            if b == 45, !any, !neg { neg = true; continue }
            guard b >= 48, b <= 57 else { throw RedisError.protocolError("bad number in reply") }
            v = v &* 10 &+ Int64(b - 48)
            any = true
        }
        guard any else { throw RedisError.protocolError("empty number in reply") }
        return neg ? -v : v
    }

    private func parse(_ i: inout Int) throws -> RESPValue? {
        guard i < buffer.count else { return nil }
        let type = buffer[i]
        var j = i + 1
        guard let head = line(&j) else { return nil }
        switch type {
        case UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: "("):
            i = j
            return .simple(String(decoding: head, as: UTF8.self))
        case UInt8(ascii: "-"):
            i = j
            return .error(String(decoding: head, as: UTF8.self))
        case UInt8(ascii: ":"):
            i = j
            return .integer(try RESPParser.number(head))
        case UInt8(ascii: "#"):
            i = j
            return .simple(head.first == UInt8(ascii: "t") ? "true" : "false")
        case UInt8(ascii: "_"):
            i = j
            return .null
        case UInt8(ascii: "$"), UInt8(ascii: "="), UInt8(ascii: "!"):
            let n = try RESPParser.number(head)
            if n < 0 { i = j; return .null }
            let end = j + Int(n)
            guard end + 2 <= buffer.count else { return nil }
            var body = Array(buffer[j..<end])
            if type == UInt8(ascii: "=") { body.removeFirst(min(4, body.count)) } // "txt:" of a verbatim string
            i = end + 2
            return type == UInt8(ascii: "!") ? .error(String(decoding: body, as: UTF8.self)) : .bulk(body)
        case UInt8(ascii: "*"), UInt8(ascii: "~"), UInt8(ascii: ">"), UInt8(ascii: "%"):
            var n = try RESPParser.number(head)
            if n < 0 { i = j; return .null }
            if type == UInt8(ascii: "%") { n *= 2 }
            var items: [RESPValue] = []
            items.reserveCapacity(Int(n))
            for _ in 0..<n {
                guard let v = try parse(&j) else { return nil }
                items.append(v)
            }
            i = j
            return type == UInt8(ascii: ">") ? .push(items) : .array(items)
        default:
            throw RedisError.protocolError("the server's reply is not RESP (first byte \(type)): is this a Redis port?")
        }
    }
}
