import Foundation

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
///
/// The bytes live in one buffer that the transport reads into directly (`fill`), so a reply is never copied before
/// it is parsed; `nextRaw()` answers a bulk string as its place in that buffer (read it with `withBytes` before the
/// next `fill` or `append`), and an array as its header only, so a page of values is read without an array or a
/// `[UInt8]` per reply.
public struct RESPParser {
    /// Bytes `start..<end` are received and not yet parsed; the rest is room for the next read.
    private var buffer: [UInt8] = []
    private var start = 0
    private var end = 0

    public init() {}

    /// One reply as it sits in the buffer (`nextRaw`).
    public enum Raw {
        /// A bulk string: its bytes' place in the buffer, valid until the next `fill` or `append`.
        case bulk(Range<Int>)
        case integer(Int64)
        /// A nil bulk string or array, or RESP3 null.
        case null
        /// An array's (or RESP3 set's) header: its `count` elements follow as replies of their own.
        case arrayHeader(Int)
        /// Any other reply, whole (a simple string, an error, a map, a push).
        case value(RESPValue)
    }

    /// Makes room for at least `room` bytes after `end`, moving what is unparsed to the front first.
    private mutating func reserve(_ room: Int) {
        if start == end {
            start = 0
            end = 0
        } else if start > 0, buffer.count - end < room {
            buffer.withUnsafeMutableBytes { b in
                guard let base = b.baseAddress else { return }
                memmove(base, base + start, end - start)
            }
            end -= start
            start = 0
        }
        if buffer.count - end < room {
            buffer.append(contentsOf: repeatElement(0, count: max(room, buffer.count)))
        }
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        reserve(bytes.count)
        buffer.withUnsafeMutableBytes { b in
            UnsafeMutableRawBufferPointer(rebasing: b[end..<(end + bytes.count)]).copyMemory(from: bytes)
        }
        end += bytes.count
    }

    /// Reads what the transport has (waiting up to its timeout) into the buffer.
    mutating func fill(from transport: any RedisTransport) throws {
        reserve(64 * 1024)
        let from = end
        let n = try buffer.withUnsafeMutableBytes { b in
            try transport.receive(UnsafeMutableRawBufferPointer(rebasing: b[from...]))
        }
        end += n
    }

    /// Bytes of a `.bulk` range from `nextRaw`.
    public func withBytes<R>(_ range: Range<Int>, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    /// The next whole reply, or nil when the buffer holds only part of one. Throws on bytes that are not RESP.
    public mutating func next() throws -> RESPValue? {
        var i = start
        guard let v = try parse(&i) else { return nil }
        start = i
        return v
    }

    /// The next reply in place (see `Raw`), or nil when the buffer holds only part of it.
    public mutating func nextRaw() throws -> Raw? {
        guard start < end else { return nil }
        let type = buffer[start]
        switch type {
        case UInt8(ascii: "$"), UInt8(ascii: ":"), UInt8(ascii: "*"), UInt8(ascii: "~"), UInt8(ascii: "_"):
            var j = start + 1
            guard let head = line(&j) else { return nil }
            if type == UInt8(ascii: "_") {
                start = j
                return .null
            }
            let n = try RESPParser.number(head)
            if type == UInt8(ascii: ":") {
                start = j
                return .integer(n)
            }
            if n < 0 {
                start = j
                return .null
            }
            if type != UInt8(ascii: "$") {
                start = j
                return .arrayHeader(Int(n))
            }
            let stop = j + Int(n)
            guard stop + 2 <= end else { return nil }
            start = stop + 2
            return .bulk(j..<stop)
        default:
            guard let v = try next() else { return nil }
            return .value(v)
        }
    }

    /// The line at `i` (up to its CR LF), moving `i` past it; nil when its end has not arrived.
    private func line(_ i: inout Int) -> ArraySlice<UInt8>? {
        let from = i
        var j = from
        while true {
            let n = end
            let cr: Int? = buffer.withUnsafeBytes { b -> Int? in
                guard let base = b.baseAddress, j < n, let p = memchr(base + j, 13, n - j) else { return nil }
                return base.distance(to: UnsafeRawPointer(p))
            }
            guard let c = cr, c + 1 < n else { return nil }
            if buffer[c + 1] == 10 {
                i = c + 2
                return buffer[from..<c]
            }
            j = c + 1  // a bare CR inside the line
        }
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
        guard i < end else { return nil }
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
            let stop = j + Int(n)
            guard stop + 2 <= end else { return nil }
            var body = Array(buffer[j..<stop])
            if type == UInt8(ascii: "=") { body.removeFirst(min(4, body.count)) } // "txt:" of a verbatim string
            i = stop + 2
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
