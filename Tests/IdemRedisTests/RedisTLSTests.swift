import Foundation
import IdemCore
import IdemTestSupport
import Testing
@testable import IdemRedis

/// `rediss://` against a redis-server speaking only TLS, with a CA and a certificate for 127.0.0.1 that the test
/// makes with openssl.
@Suite(.serialized) struct RedisTLSTests {
    static let certs = Result { try RedisTLSTests.makeCertificates() }
    static let server = Result {
        let dir = try certs.get()
        return try RedisServer(tlsDir: dir)
    }

    /// A CA, and a server certificate it signed for IP 127.0.0.1; returns their folder.
    static func makeCertificates() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("idemtop-tls-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let ssl = "/usr/bin/openssl"
        let ext = dir.appendingPathComponent("ext.cnf")
        try "subjectAltName=IP:127.0.0.1\n".write(to: ext, atomically: true, encoding: .utf8)
        for args in [
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=idemtop test CA",
             "-keyout", "ca.key", "-out", "ca.crt"],
            ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "server.key", "-out", "server.csr"],
            ["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
             "-extfile", ext.path, "-out", "server.crt"],
        ] {
            let r = try PowertoolsVenv.run(ssl, args.map { $0.hasSuffix(".key") || $0.hasSuffix(".crt") || $0.hasSuffix(".csr") ? dir.appendingPathComponent($0).path : $0 })
            guard r.code == 0 else { throw HarnessError("openssl \(args[0]) failed: \(r.err)") }
        }
        return dir
    }

    @Test func aVerifiedTLSConnectionReadsTheRecords() throws {
        let server = try RedisTLSTests.server.get()
        let ca = try RedisTLSTests.certs.get().appendingPathComponent("ca.crt").path
        let url = "rediss://127.0.0.1:\(server.port)?ca_file=\(ca)"
        let conn = try RedisConnection(config: RedisConfig(url: url), password: nil)
        #expect(try conn.command(["SET", "fn.app.handler#tls", #"{"status": "COMPLETED", "expiration": 4102444800}"#]).text == "OK")
        let r = try IdemtopBinary.run(["list", url, "--format", "json"])
        #expect(r.code == 0 && r.out.contains("\"tls\""), "\(r.err)")
        // Tracking over TLS too: the follow connection speaks RESP3 through the same transport.
        let reader = try RedisReader(location: RedisDriver().location(forced: url), config: RedisConfig(url: url), password: nil)
        #expect(reader.followsInvalidations)
    }

    @Test func anUnknownCertificateAndAPlainClientFailInOneLine() throws {
        let server = try RedisTLSTests.server.get()
        let unverified = try IdemtopBinary.run(["list", "rediss://127.0.0.1:\(server.port)"])
        #expect(unverified.code != 0 && unverified.err.contains("TLS: handshake with 127.0.0.1:\(server.port) failed"),
                "\(unverified.err)")
        #expect(unverified.err.split(separator: "\n").count == 1)
        let plain = try IdemtopBinary.run(["list", "redis://127.0.0.1:\(server.port)?timeout=2s"])
        #expect(plain.code != 0 && plain.err.split(separator: "\n").count == 1, "\(plain.err)")
    }
}
