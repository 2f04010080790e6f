import Foundation

/// A blocking HTTP/1.1 POST over a plain TCP socket, for `http://` endpoints (moto, DynamoDB Local).
///
/// Foundation's URLSession on Linux burns most of a core while it waits for a slow response (its libcurl timers
/// spin); against a local server that answers a page in seconds that halved the server's CPU. One connection per
/// request (`Connection: close`); the body is read by `Content-Length`, chunked, or to the end.
enum PlainHTTP {
    /// Posts `body` to `url` with `headers`; returns the body and the status code.
    static func post(_ url: URL, headers: [(String, String)], body: Data, timeout: TimeInterval) throws -> (Data, Int) {
        guard let host = url.host else { throw DynamoError.usage("\(url.absoluteString) has no host") }
        let port = url.port ?? 80
        let fd = try connect(host: host, port: port, url: url, timeout: timeout)
        defer { close(fd) }
        // The Host header is the one that was signed, when there is one.
        var head = "POST \(url.path.isEmpty ? "/" : url.path) HTTP/1.1\r\n"
        if !headers.contains(where: { $0.0.lowercased() == "host" }) { head += "Host: \(host):\(port)\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        try writeAll(fd, Data(head.utf8) + body, url: url)
        let raw = try readAll(fd, url: url)
        return try parse(raw, url: url)
    }

    static func connect(host: String, port: Int, url: URL, timeout: TimeInterval) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else {
            throw DynamoError.connection("unknown host in \(url.absoluteString)")
        }
        defer { freeaddrinfo(list) }
        var lastError: Int32 = 0
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let ai = next {
            next = ai.pointee.ai_next
            let fd = socket(ai.pointee.ai_family, ai.pointee.ai_socktype, ai.pointee.ai_protocol)
            guard fd >= 0 else { lastError = errno; continue }
            var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1_000_000))
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            if Glibc.connect(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) == 0 { return fd }
            lastError = errno
            close(fd)
        }
        if lastError == ECONNREFUSED { throw DynamoError.connection("connection refused at \(url.absoluteString)") }
        throw DynamoError.connection("\(url.absoluteString): \(String(cString: strerror(lastError)))")
    }

    static func writeAll(_ fd: Int32, _ data: Data, url: URL) throws {
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < raw.count {
                let n = send(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset, Int32(MSG_NOSIGNAL))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw DynamoError.connection("\(url.absoluteString): sending failed (\(String(cString: strerror(errno))))")
                }
                offset += n
            }
        }
    }

    static func readAll(_ fd: Int32, url: URL) throws -> Data {
        var out = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n == 0 { return out }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK {
                    throw DynamoError.connection("timed out talking to \(url.absoluteString)")
                }
                throw DynamoError.connection("\(url.absoluteString): \(String(cString: strerror(errno)))")
            }
            out.append(contentsOf: buffer[0..<n])
        }
    }

    /// Splits a whole response into its status and body (de-chunked).
    static func parse(_ raw: Data, url: URL) throws -> (Data, Int) {
        let bytes = [UInt8](raw)
        guard let end = find(bytes, [13, 10, 13, 10]) else {
            throw DynamoError.malformed("\(url.absoluteString) closed the connection without a full HTTP response")
        }
        let head = String(decoding: bytes[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = head.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw DynamoError.malformed("\(url.absoluteString) sent no HTTP status line")
        }
        var fields: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(bytes[(end + 4)...])
        if fields["transfer-encoding"]?.lowercased().contains("chunked") == true {
            body = try dechunk(body, url: url)
        } else if let length = fields["content-length"].flatMap(Int.init), length <= body.count {
            body = Array(body[0..<length])
        }
        return (Data(body), status)
    }

    static func dechunk(_ b: [UInt8], url: URL) throws -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while let lineEnd = find(b, [13, 10], from: i) {
            let sizeText = String(decoding: b[i..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                throw DynamoError.malformed("\(url.absoluteString) sent a bad chunk size")
            }
            if size == 0 { return out }
            let start = lineEnd + 2
            guard start + size <= b.count else { throw DynamoError.malformed("\(url.absoluteString) cut a chunk short") }
            out += b[start..<(start + size)]
            i = start + size + 2
        }
        return out
    }

    static func find(_ b: [UInt8], _ needle: [UInt8], from: Int = 0) -> Int? {
        guard b.count >= needle.count, from <= b.count - needle.count else { return nil }
        for i in from...(b.count - needle.count) where b[i] == needle[0] {
            if Array(b[i..<(i + needle.count)]) == needle { return i }
        }
        return nil
    }
}
