import Foundation
import IdemCore
import IdemProcess
import IdemStore
import IdemTestSupport
import Testing
@testable import IdemRedis

/// The guarded purge (a Lua compare-and-delete of the value checked), its audit journal, and `--read-only`
/// sending no write command: watched with MONITOR, and with an ACL user that has no write permission.
@Suite(.serialized) struct RedisPurgeTests {
    static let server = Result {
        try RedisServer(extra: ["--user", "reader", "on", ">readpw", "~*", "&*", "+@read", "+@connection", "-@write"])
    }
    let fx: RedisFixture

    init() throws { fx = RedisFixture(server: try RedisPurgeTests.server.get()) }

    static func auditPath() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("idemtop-redis-audit-\(UUID().uuidString.prefix(6)).jsonl")
    }

    @Test func stuckRecordsArePurgedWithAnAuditTrailAndNothingElse() throws {
        try fx.server.cli(["FLUSHALL"])
        _ = try fx.drive([RedisFixture.invoke("done-1")])
        for i in 1...2 {
            let hung = try fx.startHanging(RedisFixture.invoke("crashed-\(i)", remainingMs: 200))
            kill(hung.processIdentifier, SIGKILL)
            hung.waitUntilExit()
        }
        let audit = RedisPurgeTests.auditPath()
        defer { try? FileManager.default.removeItem(at: audit) }
        let store = fx.url("audit=\(audit.path)")
        // Wait for the 200 ms deadlines to pass: then both are stuck.
        let deadline = Date().addingTimeInterval(30)
        var stuck = 0
        var l = (code: Int32(0), out: "", err: "")
        repeat {
            l = try IdemtopBinary.run(["list", store, "--filter", "status:stuck", "--format", "json"])
            stuck = ((try? JSONSerialization.jsonObject(with: Data(l.out.utf8))) as? [Any])?.count ?? 0
        } while stuck < 2 && Date() < deadline
        let noAudit = try IdemtopBinary.run(["purge", fx.url(), "--filter", "status:stuck", "--reason", "crash", "--yes"])
        #expect(noAudit.code != 0 && noAudit.err.contains("audit=PATH.jsonl"), "\(noAudit.err)")
        #expect(try fx.server.cli(["DBSIZE"]) == "3")
        let r = try IdemtopBinary.run(["purge", store, "--filter", "status:stuck", "--reason", "fleet crash", "--yes",
                                       "--format", "json"])
        #expect(r.code == 0, "\(r.err)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any], "\(r.out)")
        #expect(object["purged"] as? Int == 2 && object["refused"] as? Int == 0, "\(r.out) after \(l.out)")
        #expect(try fx.server.cli(["--scan"]) == PowertoolsRedisTests.key("done-1"))
        let lines = try String(contentsOf: audit, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2 && lines.allSatisfy { $0.contains("\"kind\":\"purge\"") && $0.contains("fleet crash") })
    }

    @Test func aValueThatChangedSinceTheOperatorLookedIsRefused() throws {
        try fx.server.cli(["FLUSHALL"])
        let key = "payments-fn.app.handler#guarded"
        let inProgress = #"{"status": "INPROGRESS", "expiration": 4102444800, "in_progress_expiration": 1000}"#
        try fx.server.cli(["SET", key, inProgress])
        let reader = try fx.reader()
        var events: [StoreEvent] = [], malformed: [MalformedEntry] = [], notices: [String] = []
        _ = try RedisFixture.poll(reader, into: &events, malformed: &malformed, notices: &notices) { e, _ in !e.isEmpty }
        var ledger = Ledger()
        for e in events { _ = ledger.apply(e) }
        let tokenKey = TokenKey(tenant: "payments-fn", token: "guarded")
        let record = try #require(ledger.record(tokenKey))
        let expect = PurgeExpectation(record: record, at: SystemClock().now())
        #expect(expect.status == .stuck)
        // The service completed it meanwhile: the purge is refused and the key stays.
        try fx.server.cli(["SET", key, #"{"status": "COMPLETED", "expiration": 4102444800, "data": "{}"}"#])
        let audit = RedisPurgeTests.auditPath()
        defer { try? FileManager.default.removeItem(at: audit) }
        let admin = try RedisAdmin(location: RedisDriver().location(forced: fx.url("audit=\(audit.path)")))
        let outcome = try admin.purge(tokenKey, expect: expect, actor: "test@host", reason: "stuck")
        guard case .refused(let why) = outcome else { Issue.record("purged a changed record"); return }
        #expect(why.contains("changed since you looked") && why.contains("COMPLETED"), "\(why)")
        #expect(try fx.server.cli(["EXISTS", key]) == "1")
        // The Lua guard itself: it deletes only the exact value.
        let conn = try RedisConnection(config: RedisConfig(url: fx.url()), password: nil)
        let stale = try conn.command(["EVAL", RedisAdmin.compareAndDelete, "1", key, inProgress])
        let stillThere = try fx.server.cli(["EXISTS", key])
        #expect(stale.int == 0 && stillThere == "1")
        // Back to what the operator saw: purged, and journaled.
        try fx.server.cli(["SET", key, inProgress])
        let again = try admin.purge(tokenKey, expect: expect, actor: "test@host", reason: "stuck")
        guard case .purged = again else { Issue.record("refused: \(again)"); return }
        #expect(try fx.server.cli(["EXISTS", key]) == "0")
        #expect(try String(contentsOf: audit, encoding: .utf8).contains("\"actor\":\"test@host\""))
    }

    @Test func readOnlySendsNoWriteCommand() throws {
        try fx.server.cli(["FLUSHALL"])
        _ = try fx.drive([RedisFixture.invoke("ro-1")])
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("idemtop-monitor-\(UUID().uuidString.prefix(6)).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let handle = try FileHandle(forWritingTo: log)
        let monitor = try RunningChild("/usr/bin/redis-cli", ["-p", String(fx.server.port), "MONITOR"],
                                       stdout: .file(handle), stderr: .discard)
        defer { monitor.kill() }
        let ready = Date().addingTimeInterval(20)
        while !((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains("OK"), Date() < ready {
            Thread.sleep(forTimeInterval: 0.02)
        }
        let audit = RedisPurgeTests.auditPath()
        let store = fx.url("audit=\(audit.path)")
        let list = try IdemtopBinary.run(["list", store, "--format", "json"])
        #expect(list.code == 0, "\(list.err)")
        let show = try IdemtopBinary.run(["show", store, String(PowertoolsRedisTests.key("ro-1").split(separator: "#")[1])])
        #expect(show.code == 0, "\(show.err)")
        let purge = try IdemtopBinary.run(["purge", store, "--read-only", "--filter", "status:completed", "--reason", "x", "--yes"])
        #expect(purge.code != 0 && purge.err.contains("read-only"), "\(purge.err)")
        // A marker through another client, so everything idemtop sent is in the log before we read it.
        try fx.server.cli(["ECHO", "idemtop-test-done"])
        let deadline = Date().addingTimeInterval(20)
        var text = ""
        repeat {
            text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        } while !text.contains("idemtop-test-done") && Date() < deadline
        let commands = text.split(separator: "\n").compactMap { line -> String? in
            guard let q = line.firstIndex(of: "\""), let end = line[line.index(after: q)...].firstIndex(of: "\"") else { return nil }
            return line[line.index(after: q)..<end].uppercased()
        }
        #expect(commands.contains("SCAN") && commands.contains("GET"), "\(commands)")
        let writes: Set<String> = ["SET", "DEL", "UNLINK", "EVAL", "EVALSHA", "EXPIRE", "PEXPIRE", "MULTI", "EXEC", "FLUSHALL"]
        #expect(commands.filter { writes.contains($0) } == [], "\(commands)")
        #expect(!FileManager.default.fileExists(atPath: audit.path), "read-only makes no audit journal")
        // And with a user that may not write at all, reading still works.
        let acl = try IdemtopBinary.run(["list", "redis://reader@127.0.0.1:\(fx.server.port)?password_env=PW"],
                                        environment: ["PW": "readpw"])
        #expect(acl.code == 0 && acl.out.contains(PowertoolsRedisTests.key("ro-1").split(separator: "#")[1]), "\(acl.err)")
        // That user may not run INFO either: read as one server, and said once.
        let location = try RedisDriver().location(forced: "redis://reader@127.0.0.1:\(fx.server.port)")
        let aclReader = try RedisReader(location: location, config: try RedisDriver.config(location), password: "readpw")
        #expect(!aclReader.isCluster)
        #expect(aclReader.drainNotices().filter { $0.contains("INFO cluster was refused") }.count == 1)
    }
}
