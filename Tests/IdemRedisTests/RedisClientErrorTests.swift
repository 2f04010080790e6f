import Foundation
import IdemCore
import IdemStore
import IdemTestSupport
import Testing
@testable import IdemRedis

/// Each failure to reach or use a server is one line naming it, from the real binary.
@Suite(.serialized) struct RedisClientErrorTests {
    static let server = Result {
        try RedisServer(extra: ["--requirepass", "s3cret",
                                "--user", "reader", "on", ">readpw", "~*", "&*", "+@read", "+@connection", "-@write",
                                "--user", "ops", "on", ">opspw", "~*", "&*", "+@all"])
    }
    let fx: RedisFixture

    init() throws { fx = RedisFixture(server: try RedisClientErrorTests.server.get()) }

    static func oneLine(_ r: (code: Int32, out: String, err: String)) -> String {
        r.err.split(separator: "\n").map(String.init).first { $0.hasPrefix("idemtop:") } ?? r.err
    }

    @Test func aClosedPortIsRefusedInOneLine() throws {
        let port = try LoopbackPort.free()
        let r = try IdemtopBinary.run(["list", "redis://127.0.0.1:\(port)"])
        #expect(r.code != 0)
        #expect(r.err.split(separator: "\n").count == 1, "\(r.err)")
        #expect(r.err.contains("connection refused"))
    }

    @Test func noPasswordAndAWrongOneSayAuthentication() throws {
        let none = try IdemtopBinary.run(["list", fx.url()], environment: ["REDISCLI_AUTH": ""])
        #expect(none.code != 0 && none.err.contains("authentication failed") && none.err.contains("NOAUTH"), "\(none.err)")
        let wrong = try IdemtopBinary.run(["list", fx.url()], environment: ["REDISCLI_AUTH": "nope"])
        #expect(wrong.code != 0 && wrong.err.contains("WRONGPASS"), "\(wrong.err)")
        #expect(wrong.err.split(separator: "\n").count == 1)
        let right = try IdemtopBinary.run(["list", fx.url()], environment: ["REDISCLI_AUTH": "s3cret"])
        #expect(right.code == 0, "\(right.err)")
        // The password never appears in any output.
        #expect(!(right.out + right.err + wrong.out + wrong.err).contains("s3cret"))
    }

    @Test func anACLUserWithAPasswordFromPasswordEnv() throws {
        let url = "redis://reader@127.0.0.1:\(fx.server.port)?password_env=IDEM_PW"
        let ok = try IdemtopBinary.run(["list", url], environment: ["IDEM_PW": "readpw", "REDISCLI_AUTH": ""])
        #expect(ok.code == 0, "\(ok.err)")
        let unset = try IdemtopBinary.run(["list", url], environment: ["REDISCLI_AUTH": ""])
        #expect(unset.code != 0 && unset.err.contains("IDEM_PW is not set"), "\(unset.err)")
        let inURL = try IdemtopBinary.run(["list", "redis://reader:readpw@127.0.0.1:\(fx.server.port)"])
        #expect(inURL.code != 0 && inURL.err.contains("REDISCLI_AUTH"), "\(inURL.err)")
    }

    @Test func aDatabaseOutOfRangeIsSaid() throws {
        let r = try IdemtopBinary.run(["list", fx.server.url + "/99"],
                                      environment: ["REDISCLI_AUTH": "s3cret"])
        #expect(r.code != 0 && r.err.contains("cannot select database 99"), "\(r.err)")
    }

    @Test func movedOutsideClusterModeIsOneLine() throws {
        #expect(throws: RedisError.self) {
            try RedisConnection.check(.error("MOVED 3999 127.0.0.1:6381"), endpoint: "127.0.0.1:6379")
        }
        let e = RedisError.moved("MOVED (MOVED 3999 127.0.0.1:6381)")
        #expect(e.description.contains("cluster=1"))
    }
}
