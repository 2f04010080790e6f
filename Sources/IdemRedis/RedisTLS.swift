import COpenSSL
import Foundation

/// TLS over a `RedisSocket` for `rediss://` locations, with the system OpenSSL (libssl-dev): the server's
/// certificate is verified against `ca_file=` (else the system's trust store) and its name or IP, unless `verify=0`.
///
/// System OpenSSL rather than swift-nio-ssl (SwiftNIO: minutes of build on every CI run, and an event loop this
/// blocking client does not want) or Foundation (URLSession has no raw TLS stream on Linux). Blocking, like the
/// socket under it: the socket's receive and send timeouts bound the handshake and every read.
final class RedisTLS: RedisTransport {
    private let socket: RedisSocket
    private let ctx: OpaquePointer
    private let ssl: OpaquePointer

    init(socket: RedisSocket, serverName: String, caFile: String?, verify: Bool) throws {
        self.socket = socket
        guard let ctx = SSL_CTX_new(TLS_client_method()) else { throw RedisError.tls("cannot make a TLS context") }
        self.ctx = ctx
        guard let ssl = SSL_new(ctx) else {
            SSL_CTX_free(ctx)
            throw RedisError.tls("cannot make a TLS session")
        }
        self.ssl = ssl
        if verify {
            if let caFile {
                guard SSL_CTX_load_verify_locations(ctx, caFile, nil) == 1 else {
                    throw RedisError.tls("ca_file=\(caFile): cannot load it (\(RedisTLS.lastError()))")
                }
            } else {
                SSL_CTX_set_default_verify_paths(ctx)
            }
            SSL_set_verify(ssl, SSL_VERIFY_PEER, nil)
            if let param = SSL_get0_param(ssl) {
                if X509_VERIFY_PARAM_set1_ip_asc(param, serverName) != 1 {
                    X509_VERIFY_PARAM_set1_host(param, serverName, 0)
                }
            }
        }
        _ = idem_ssl_set_sni(ssl, serverName)
        SSL_set_fd(ssl, socket.fd)
        if SSL_connect(ssl) != 1 {
            let result = SSL_get_verify_result(ssl)
            let why = result != X509_V_OK ? String(cString: X509_verify_cert_error_string(Int(result)))
                : RedisTLS.lastError()
            throw RedisError.tls("handshake with \(socket.endpoint) failed: \(why)")
        }
    }

    /// The most recent OpenSSL error, or the system's when OpenSSL has none.
    static func lastError() -> String {
        let code = ERR_get_error()
        guard code != 0 else { return (errno == EAGAIN ? "timed out" : "the server closed the connection") + " (is it a TLS port?)" }
        var buf = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buf, buf.count)
        return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func send(_ bytes: [UInt8]) throws {
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { raw -> Int32 in
                guard let base = raw.baseAddress else { return 0 }
                return SSL_write(ssl, base + off, Int32(raw.count - off))
            }
            if n <= 0 { throw failure(n, "sending") }
            off += Int(n)
        }
    }

    func receive(_ buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = SSL_read(ssl, buffer.baseAddress, Int32(buffer.count))
        if n > 0 { return Int(n) }
        throw failure(n, "reading")
    }

    func readable(waitingMs: Int32) -> Bool {
        SSL_pending(ssl) > 0 || socket.readable(waitingMs: waitingMs)
    }

    private func failure(_ n: Int32, _ doing: String) -> RedisError {
        let code = SSL_get_error(ssl, n)
        if code == SSL_ERROR_ZERO_RETURN { return .closed("\(socket.endpoint): the server closed the TLS session") }
        if code == SSL_ERROR_SYSCALL || code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE,
           errno == EAGAIN || errno == EWOULDBLOCK {
            return .timeout("\(socket.endpoint): no answer")
        }
        return .closed("\(socket.endpoint): TLS \(doing) failed (\(RedisTLS.lastError()))")
    }

    deinit {
        SSL_free(ssl)
        SSL_CTX_free(ctx)
    }
}
