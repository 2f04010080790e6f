import Foundation
import IdemCore

/// One connection to a Redis server: the handshake (AUTH, SELECT, HELLO 3 when asked), single commands and
/// pipelines. Blocking; used from one thread at a time (a store's own thread).
///
/// Every failure is a `RedisError` that prints as one line: refused, unknown host, timeout, wrong password, wrong
/// database, MOVED outside cluster mode, a lost connection.
public final class RedisConnection {
    public let endpoint: String
    private let transport: any RedisTransport
    private var parser = RESPParser()
    /// Push messages (RESP3) that arrived while waiting for a reply.
    private var pushes: [[RESPValue]] = []
    /// Whether the connection speaks RESP3 (after `HELLO 3`).
    public private(set) var resp3 = false
    /// Every command name sent, when recording (a test's check that read-only sends no write).
    public var sentCommands: [String]?
    /// A cluster node's connection: MOVED and ASK come back as `.error` replies (see `RedisRedirect`) for
    /// `RedisNodes` to follow, instead of throwing `RedisError.moved`.
    public var followsRedirects = false
    /// Whether a scan pass sent commands whose replies it has not read yet (`RedisScanPass`): such a connection is
    /// not used for anything else, and not by another pass (`RedisNodes.scan` opens a new one).
    public internal(set) var repliesOwed = false

    /// Connects and authenticates: `user`/`password` with AUTH, then SELECT `database` when not 0, then `HELLO 3`
    /// when `resp3`.
    public init(config: RedisConfig, password: String?, host: String? = nil, port: Int? = nil,
                resp3: Bool = false) throws {
        let h = host ?? config.host, p = port ?? config.port
        let socket = try RedisSocket(host: h, port: p, timeout: config.timeout)
        endpoint = socket.endpoint
        if config.tls {
            transport = try RedisTLS(socket: socket, serverName: h, caFile: config.caFile, verify: config.verifyTLS)
        } else {
            transport = socket
        }
        if let password {
            let args = config.user.map { ["AUTH", $0, password] } ?? ["AUTH", password]
            let reply = try command(args)
            if let e = reply.errorText { throw RedisError.auth("\(endpoint) said \(e)") }
        } else if let user = config.user {
            _ = user
            throw RedisError.auth("\(endpoint): user \(Sanitizer.visible(user)) needs a password")
        }
        if config.database != 0 {
            let reply = try command(["SELECT", String(config.database)])
            if let e = reply.errorText { throw RedisError.wrongDatabase(config.database, "\(endpoint) said \(e)") }
        }
        if resp3 {
            let reply = try command(["HELLO", "3"])
            if let e = reply.errorText { throw RedisError.server("HELLO 3: \(e) (CLIENT TRACKING needs Redis 6 or later)") }
            self.resp3 = true
        }
    }

    /// Sends one command and waits for its reply. An error reply is returned as `.error`, except NOAUTH, MOVED and
    /// ASK, which throw (see `check`).
    public func command(_ args: [String]) throws -> RESPValue {
        try pipeline([args.map { Array($0.utf8) }])[0]
    }

    /// Sends every command at once, then reads one reply for each, in order.
    public func pipeline(_ commands: [[[UInt8]]]) throws -> [RESPValue] {
        var out: [UInt8] = []
        out.reserveCapacity(commands.count * 64)
        for args in commands {
            RedisConnection.encode(args, into: &out)
            if sentCommands != nil, let name = args.first {
                sentCommands?.append(String(decoding: name, as: UTF8.self).uppercased())
            }
        }
        try transport.send(out)
        var replies: [RESPValue] = []
        replies.reserveCapacity(commands.count)
        while replies.count < commands.count {
            let v = try readReply()
            if case .push(let items) = v { pushes.append(items); continue }
            try RedisConnection.check(v, endpoint: endpoint, redirects: followsRedirects)
            replies.append(v)
        }
        return replies
    }

    /// The next reply, reading from the transport as needed.
    private func readReply() throws -> RESPValue {
        while true {
            if let v = try parser.next() { return v }
            try parser.fill(from: transport)
        }
    }

    /// Sends commands already encoded (`encode`), without reading a reply: the caller reads them with `nextRaw`.
    func send(encoded bytes: [UInt8], names: @autoclosure () -> [String]) throws {
        if sentCommands != nil { sentCommands? += names() }
        try transport.send(bytes)
    }

    /// The next reply in place (`RESPParser.Raw`), reading from the transport as needed; push messages are kept for
    /// `drainPushes`, NOAUTH/MOVED/ASK throw as in `pipeline`. A `.bulk` range is valid only until the next call.
    func nextRaw() throws -> RESPParser.Raw {
        while true {
            if let r = try parser.nextRaw() {
                if case .value(let v) = r {
                    if case .push(let items) = v { pushes.append(items); continue }
                    try RedisConnection.check(v, endpoint: endpoint, redirects: followsRedirects)
                }
                return r
            }
            try parser.fill(from: transport)
        }
    }

    /// The bytes of a `.bulk` reply `nextRaw` just returned.
    func withBytes<R>(_ range: Range<Int>, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try parser.withBytes(range, body)
    }

    /// Push messages that arrived so far, and any that arrive within `waitingMs`; empties the list.
    public func drainPushes(waitingMs: Int32) throws -> [[RESPValue]] {
        while let v = try parser.next() {
            if case .push(let items) = v { pushes.append(items) }
        }
        var waited = false
        while transport.readable(waitingMs: waited ? 0 : waitingMs) {
            waited = true
            try parser.fill(from: transport)
            while let v = try parser.next() {
                if case .push(let items) = v { pushes.append(items) }
            }
        }
        defer { pushes.removeAll() }
        return pushes
    }

    /// Throws for replies no caller can go on from: NOAUTH, and MOVED/ASK unless `redirects` (a cluster node's
    /// connection, whose caller follows them).
    static func check(_ v: RESPValue, endpoint: String, redirects: Bool = false) throws {
        guard let e = v.errorText else { return }
        if e.hasPrefix("NOAUTH") { throw RedisError.auth("\(endpoint) wants a password (\(e))") }
        if e.hasPrefix("WRONGPASS") { throw RedisError.auth("\(endpoint) said \(e)") }
        if !redirects, e.hasPrefix("MOVED") || e.hasPrefix("ASK ") { throw RedisError.moved("\(e.split(separator: " ").first ?? "") (\(e))") }
    }

    /// Appends one command as a RESP array of bulk strings.
    static func encode(_ args: [[UInt8]], into out: inout [UInt8]) {
        encodeHeader(args.count, into: &out)
        for a in args { a.withUnsafeBytes { encodeArgument($0, into: &out) } }
    }

    /// `*n` CR LF: a command of `n` arguments follows.
    static func encodeHeader(_ n: Int, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "*"))
        appendDecimal(n, to: &out)
        out.append(13)
        out.append(10)
    }

    /// One argument as a bulk string.
    static func encodeArgument(_ a: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "$"))
        appendDecimal(a.count, to: &out)
        out.append(13)
        out.append(10)
        out.append(contentsOf: a)
        out.append(13)
        out.append(10)
    }

    private static func appendDecimal(_ n: Int, to out: inout [UInt8]) {
        var p = 1
        while p <= n / 10 { p *= 10 }
        var v = n
        while p > 0 {
            out.append(UInt8(48 + v / p))
            v %= p
            p /= 10
        }
    }
}
