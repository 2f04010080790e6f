import IdemCore

/// One SCAN page of one node, with the values: `SCAN cursor MATCH m COUNT n`, then one pipeline of `GET` and
/// `PTTL` for every key it returned.
public struct RedisScanPage: Sendable {
    /// A key's value as read, before decoding.
    public struct Entry: Sendable {
        public var key: String
        public var value: [UInt8]
        public var pttl: Int64
    }

    /// The cursor to continue from; "0" when the pass through the node is over.
    public var cursor: String
    public var entries: [Entry] = []
    /// Keys that held no string (WRONGTYPE): key and a reason.
    public var wrongType: [(key: String, reason: String)] = []
    /// Keys SCAN listed that were gone by GET (expired or deleted in between).
    public var vanished = 0
    /// Keys whose GET a cluster node answered with MOVED or ASK (their slot is migrating): `RedisNodes` reads
    /// them where the redirect points.
    public var redirected: [String] = []

    /// Reads the page after `cursor`.
    public static func read(_ conn: RedisConnection, cursor: String, match: String, count: Int) throws -> RedisScanPage {
        let reply = try conn.command(["SCAN", cursor, "MATCH", match, "COUNT", String(count)])
        if let e = reply.errorText { throw RedisError.server("SCAN: \(e)") }
        guard let parts = reply.array, parts.count == 2, let next = parts[0].text, let keys = parts[1].array else {
            throw RedisError.protocolError("SCAN answered \(reply)")
        }
        var page = RedisScanPage(cursor: next)
        guard !keys.isEmpty else { return page }
        var commands: [[[UInt8]]] = []
        commands.reserveCapacity(keys.count * 2)
        var names: [[UInt8]] = []
        names.reserveCapacity(keys.count)
        let get = Array("GET".utf8), pttl = Array("PTTL".utf8)  // one buffer each, shared by every command
        for k in keys {
            guard case .bulk(let name) = k else { continue }
            names.append(name)
            commands.append([get, name])
            commands.append([pttl, name])
        }
        let replies = try conn.pipeline(commands)
        for (i, name) in names.enumerated() {
            let key = String(decoding: name, as: UTF8.self)
            let value = replies[2 * i], ttl = replies[2 * i + 1]
            switch value {
            case .bulk(let bytes): page.entries.append(Entry(key: key, value: bytes, pttl: ttl.int ?? -1))
            case .null: page.vanished += 1
            case .error(let e) where e.hasPrefix("WRONGTYPE"):
                page.wrongType.append((key, "not a string value (WRONGTYPE): not an idempotency record"))
            case .error(let e) where e.hasPrefix("NOPERM"): throw RedisError.permission("GET: \(e)")
            case .error(let e) where RedisRedirect(e) != nil: page.redirected.append(key)
            case .error(let e): page.wrongType.append((key, "GET failed: \(e)"))
            default: page.wrongType.append((key, "GET answered an unexpected reply"))
            }
        }
        return page
    }
}

/// One pass of SCAN through one node's keyspace, pipelined two pages deep: a page's `GET` and `PTTL` for every key
/// go out in one write behind the `SCAN` of the next page, and as soon as that SCAN's reply (the first to come back)
/// gives the next page's keys, their GET and PTTL go out too (`lookahead`), before this page's values are decoded.
/// So the server works on the next page (its SCAN, then its reads) while this side decodes, instead of waiting for
/// this side to finish a page before it gets the next one; the replies are read in place as they arrive (no reply
/// array, no `RESPValue` per value).
///
/// With `lookahead`, the replies of the next page are on their way between calls: the connection must be the
/// pass's own (`RedisNodes.scanConnection`), and one a pass leaves with replies owed (`repliesOwed`: an error, a
/// pass given up) is not used again. Without it, the connection is idle between calls: the next page's keys (SCAN
/// answered) are held here. A pass is one function of one connection, so a caller scanning several nodes runs one
/// pass per node.
public struct RedisScanPass {
    public let match: String
    public let count: Int
    /// Send the next page's reads before decoding this page's values (see above).
    public let lookahead: Bool
    /// The keys of the page to read next, end to end; key i ends at `keyEnds[i]`.
    private var keyBytes: [UInt8] = []
    private var keyEnds: [Int] = []
    /// The page after it, while its SCAN reply has been read and this page's values have not.
    private var nextKeyBytes: [UInt8] = []
    private var nextKeyEnds: [Int] = []
    /// The cursor to SCAN after the held page (or first, before any SCAN).
    public private(set) var cursor: String
    /// Whether `keyBytes` holds a page SCAN answered and GET has not read yet.
    private var holding = false
    /// Whether the held page's GET and PTTL have been sent, behind a SCAN of the page after it when `scanOwed`.
    private var readsSent = false
    private var scanOwed = false
    /// Whether the pass through the node is over (the server answered cursor 0 and its page was read).
    public private(set) var done = false

    /// What one page held besides its records.
    public struct Tally {
        public var entries = 0
        /// Keys that held no string (WRONGTYPE), or whose GET failed: key and a reason.
        public var wrongType: [(key: String, reason: String)] = []
        /// Keys SCAN listed that were gone by GET (expired or deleted in between).
        public var vanished = 0
        /// Keys whose GET a cluster node answered with MOVED or ASK (their slot is migrating): `RedisNodes.scan`
        /// reads them where the redirect points.
        public var redirected: [String] = []
    }

    /// A pass from `cursor` ("0": the whole keyspace).
    public init(match: String, count: Int, cursor: String = "0", lookahead: Bool = true) {
        self.match = match
        self.count = count
        self.cursor = cursor
        self.lookahead = lookahead
    }

    /// Whether the pass has not sent anything yet.
    public var isFresh: Bool { !holding && !done }

    /// Sends the held page's GET and PTTL, behind the SCAN of the page after it (when there is one).
    private mutating func sendReads(_ conn: RedisConnection, _ bytes: [UInt8], _ ends: [Int]) throws {
        let more = cursor != "0"
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2 + ends.count * 40 + 64)
        if more { encodeScan(into: &out) }
        bytes.withUnsafeBytes { b in
            var from = 0
            for end in ends {
                let key = UnsafeRawBufferPointer(rebasing: b[from..<end])
                RedisConnection.encodeHeader(2, into: &out)
                out.append(contentsOf: RedisScanPass.getArgument)
                RedisConnection.encodeArgument(key, into: &out)
                RedisConnection.encodeHeader(2, into: &out)
                out.append(contentsOf: RedisScanPass.pttlArgument)
                RedisConnection.encodeArgument(key, into: &out)
                from = end
            }
        }
        conn.repliesOwed = true
        try conn.send(encoded: out, names: (more ? ["SCAN"] : [])
                        + Array(repeating: ["GET", "PTTL"], count: ends.count).flatMap { $0 })
        readsSent = true
        scanOwed = more
    }

    /// Reads the next page: each record's entry goes to `entry` as its replies arrive. After the page that ends the
    /// pass, `done` is true.
    public mutating func next(_ conn: RedisConnection, _ entry: (RedisScanPage.Entry) -> Void) throws -> Tally {
        precondition(!done, "the scan pass is over")
        if !holding {
            var out: [UInt8] = []
            encodeScan(into: &out)
            conn.repliesOwed = true
            try conn.send(encoded: out, names: ["SCAN"])
            cursor = try RedisScanPass.readScanReply(conn, into: &keyBytes, &keyEnds)
            conn.repliesOwed = false
            holding = true
            readsSent = false
        }
        if !readsSent { try sendReads(conn, keyBytes, keyEnds) }
        // On the wire now: the next page's SCAN reply (when `scanOwed`), then this page's GET and PTTL replies.
        let more = scanOwed
        var nextReadsSent = false, nextScanOwed = false
        if more {
            cursor = try RedisScanPass.readScanReply(conn, into: &nextKeyBytes, &nextKeyEnds)
            if lookahead {
                try sendReads(conn, nextKeyBytes, nextKeyEnds)
                nextReadsSent = true
                nextScanOwed = scanOwed
            }
        }
        var tally = Tally()
        var denied: String?
        var from = 0
        for end in keyEnds {
            let key = keyBytes.withUnsafeBytes { String(decoding: UnsafeRawBufferPointer(rebasing: $0[from..<end]), as: UTF8.self) }
            from = end
            var value: [UInt8]?
            var failure: String?
            var redirected = false
            switch try conn.nextRaw() {
            case .bulk(let r): value = conn.withBytes(r) { Array($0) }
            case .null: tally.vanished += 1
            case .value(.error(let e)) where e.hasPrefix("WRONGTYPE"):
                failure = "not a string value (WRONGTYPE): not an idempotency record"
            case .value(.error(let e)) where e.hasPrefix("NOPERM"): denied = denied ?? "GET: \(e)"
            case .value(.error(let e)) where RedisRedirect(e) != nil: redirected = true
            case .value(.error(let e)): failure = "GET failed: \(e)"
            case .arrayHeader(let n):
                try RedisScanPass.skip(n, conn)
                failure = "GET answered an unexpected reply"
            default: failure = "GET answered an unexpected reply"
            }
            let pttl: Int64
            switch try conn.nextRaw() {
            case .integer(let n): pttl = n
            case .arrayHeader(let n):
                try RedisScanPass.skip(n, conn)  // never for PTTL; read past it all the same
                pttl = -1
            default: pttl = -1
            }
            if let value {
                tally.entries += 1
                entry(RedisScanPage.Entry(key: key, value: value, pttl: pttl))
            } else if redirected {
                tally.redirected.append(key)
            } else if let failure {
                tally.wrongType.append((key, failure))
            }
        }
        if more {
            swap(&keyBytes, &nextKeyBytes)
            swap(&keyEnds, &nextKeyEnds)
            readsSent = nextReadsSent
            scanOwed = nextScanOwed
        } else {
            holding = false
            done = true
        }
        conn.repliesOwed = holding && readsSent
        if let denied { throw RedisError.permission(denied) }
        return tally
    }

    /// The keys of the page SCAN answered and GET has not read yet (what the next `next` reads).
    var heldKeys: [String] {
        guard holding, !readsSent else { return [] }
        var out: [String] = []
        var from = 0
        keyBytes.withUnsafeBytes { b in
            for end in keyEnds {
                out.append(String(decoding: UnsafeRawBufferPointer(rebasing: b[from..<end]), as: UTF8.self))
                from = end
            }
        }
        return out
    }

    /// Reads past `n` replies (an array's elements, nested arrays whole).
    private static func skip(_ n: Int, _ conn: RedisConnection) throws {
        for _ in 0..<n {
            if case .arrayHeader(let m) = try conn.nextRaw() { try skip(m, conn) }
        }
    }

    private static let getArgument: [UInt8] = Array("$3\r\nGET\r\n".utf8)
    private static let pttlArgument: [UInt8] = Array("$4\r\nPTTL\r\n".utf8)

    private func encodeScan(into out: inout [UInt8]) {
        RedisConnection.encode([Array("SCAN".utf8), Array(cursor.utf8), Array("MATCH".utf8), Array(match.utf8),
                                Array("COUNT".utf8), Array(String(count).utf8)], into: &out)
    }

    /// Reads a SCAN reply: the page's keys (into `bytes` and `ends`); the next cursor.
    private static func readScanReply(_ conn: RedisConnection, into bytes: inout [UInt8], _ ends: inout [Int]) throws
        -> String {
        let head = try conn.nextRaw()
        if case .value(.error(let e)) = head { throw RedisError.server("SCAN: \(e)") }
        guard case .arrayHeader(2) = head, case .bulk(let c) = try conn.nextRaw() else {
            throw RedisError.protocolError("SCAN answered something else than a cursor and keys")
        }
        let next = conn.withBytes(c) { String(decoding: $0, as: UTF8.self) }
        guard case .arrayHeader(let n) = try conn.nextRaw() else {
            throw RedisError.protocolError("SCAN answered a cursor without a key list")
        }
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        ends.reserveCapacity(n)
        for _ in 0..<n {
            guard case .bulk(let k) = try conn.nextRaw() else {
                throw RedisError.protocolError("SCAN answered a key that is not a bulk string")
            }
            conn.withBytes(k) { bytes.append(contentsOf: $0) }
            ends.append(bytes.count)
        }
        return next
    }
}
