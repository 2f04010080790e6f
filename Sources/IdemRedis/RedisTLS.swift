/// TLS over a `RedisSocket` for `rediss://` locations. Not built yet: opening one says so in one line.
final class RedisTLS: RedisTransport {
    init(socket: RedisSocket, serverName: String, caFile: String?, verify: Bool) throws {
        throw RedisError.tls("rediss:// is not supported by this build of idemtop yet (use redis:// or a local stunnel)")
    }

    func send(_ bytes: [UInt8]) throws {}
    func receive(_ buffer: UnsafeMutableRawBufferPointer) throws -> Int { 0 }
    func readable(waitingMs: Int32) -> Bool { false }
}
