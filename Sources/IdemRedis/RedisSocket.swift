import Foundation
import IdemCore

/// A blocking TCP socket with connect, send and receive timeouts: what a `RedisConnection` talks through when TLS
/// is off. Meant for a store's own thread (never the Swift concurrency pool): every call may block up to `timeout`.
final class RedisSocket: RedisTransport {
    let fd: Int32
    let endpoint: String

    /// Connects to `host:port` within `timeout` (each address getaddrinfo gives, in turn).
    init(host: String, port: Int, timeout: TimeSpan) throws {
        endpoint = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            throw RedisError.connect("\(endpoint): unknown host (\(String(cString: gai_strerror(rc))))")
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let a = node {
            node = a.pointee.ai_next
            let s = socket(a.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard s >= 0 else { lastError = String(cString: strerror(errno)); continue }
            if let why = RedisSocket.connect(s, a.pointee.ai_addr, a.pointee.ai_addrlen, timeout: timeout) {
                close(s)
                lastError = why
                continue
            }
            var one: Int32 = 1
            setsockopt(s, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            var tv = timeval(tv_sec: Int(timeout.ms / 1000), tv_usec: Int((timeout.ms % 1000) * 1000))
            setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            fd = s
            return
        }
        if lastError.contains("timed out") { throw RedisError.timeout("\(endpoint): \(lastError)") }
        throw RedisError.connect("\(endpoint): \(lastError)")
    }

    /// A non-blocking connect waited for with poll; nil when connected, else why not.
    private static func connect(_ s: Int32, _ addr: UnsafeMutablePointer<sockaddr>?, _ len: socklen_t,
                                timeout: TimeSpan) -> String? {
        let flags = fcntl(s, F_GETFL)
        _ = fcntl(s, F_SETFL, flags | O_NONBLOCK)
        defer { _ = fcntl(s, F_SETFL, flags) }
        if Glibc.connect(s, addr, len) == 0 { return nil }
        guard errno == EINPROGRESS else { return describe(errno) }
        var p = pollfd(fd: s, events: Int16(POLLOUT), revents: 0)
        let n = poll(&p, 1, Int32(clamping: timeout.ms))
        if n == 0 { return "connect timed out after \(timeout.compact)" }
        var err: Int32 = 0
        var elen = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &elen)
        return err == 0 ? nil : describe(err)
    }

    private static func describe(_ e: Int32) -> String {
        e == ECONNREFUSED ? "connection refused (is redis-server running there?)" : String(cString: strerror(e))
    }

    func send(_ bytes: [UInt8]) throws {
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return Glibc.send(fd, base + off, raw.count - off, Int32(MSG_NOSIGNAL))
            }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN { throw RedisError.timeout("\(endpoint): the server takes no more input") }
                throw RedisError.closed("\(endpoint): \(String(cString: strerror(errno)))")
            }
            off += n
        }
    }

    func receive(_ buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = recv(fd, buffer.baseAddress, buffer.count, 0)
            if n > 0 { return n }
            if n == 0 { throw RedisError.closed("\(endpoint): the server closed the connection") }
            if errno == EINTR { continue }
            if errno == EAGAIN { throw RedisError.timeout("\(endpoint): no answer") }
            throw RedisError.closed("\(endpoint): \(String(cString: strerror(errno)))")
        }
    }

    func readable(waitingMs: Int32) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, waitingMs) > 0
    }

    deinit { close(fd) }
}

/// What a connection reads and writes through: a plain socket, or TLS over one.
protocol RedisTransport: AnyObject {
    func send(_ bytes: [UInt8]) throws
    /// Reads what has arrived (at least one byte), waiting up to the timeout.
    func receive(_ buffer: UnsafeMutableRawBufferPointer) throws -> Int
    /// Whether bytes can be read within `waitingMs`.
    func readable(waitingMs: Int32) -> Bool
}
