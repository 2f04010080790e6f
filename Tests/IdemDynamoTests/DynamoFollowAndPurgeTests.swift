import Foundation
import IdemTestSupport
import IdemCore
import IdemProcess
import IdemStore
import Testing
@testable import IdemDynamo

/// Following a live table, the guarded purge racing Powertools, and check-payload against its records.
@Suite(.serialized) struct DynamoFollowAndPurgeTests {
    /// Polls the reader into the ledger until `condition` holds (or 15 s pass).
    static func follow(_ reader: DynamoReader, _ ledger: inout Ledger, seconds: Double = 15,
                       until condition: (Ledger) -> Bool) throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            while try reader.poll(limit: 10_000, { ledger.apply($0) }, malformed: { ledger.noteMalformed($0) }) > 0 {}
            if condition(ledger) { return true }
            Thread.sleep(forTimeInterval: 0.05)
        } while Date() < deadline
        return condition(ledger)
    }

    /// A slow handler, seen INPROGRESS then COMPLETED; then a handler that raises after starting, whose record
    /// Powertools deletes, seen INPROGRESS then failed.
    static func slowThenFailingHandlers(_ fx: DynamoFixture, _ reader: DynamoReader, _ ledger: inout Ledger) throws {
        let slow = try fx.startHanging(DynamoFixture.invoke(["body": "order-2", "amount": 2], mode: "slow", sleep: 2.5))
        let k2 = key("order-2")
        #expect(try follow(reader, &ledger) { $0.record(k2)?.stored == .inProgress })
        slow.waitUntilExit()
        #expect(try follow(reader, &ledger) { $0.record(k2)?.stored == .completed })
        let failing = try fx.startHanging(DynamoFixture.invoke(["body": "order-3", "amount": 3], mode: "slow_raise",
                                                               sleep: 2.0))
        let k3 = key("order-3")
        #expect(try follow(reader, &ledger) { $0.record(k3)?.stored == .inProgress })
        failing.waitUntilExit()
        #expect(try follow(reader, &ledger) { $0.record(k3)?.stored == .failed })
    }

    static func key(_ body: String) -> TokenKey {
        TokenKey(tenant: "payments-fn", token: MD5.hex(Array("\"\(body)\"".utf8)))
    }

    @Test func followsExecutionCompletionFailureAndTakeover() throws {
        let fx = try DynamoFixture(table: "follow")
        _ = try fx.drive([DynamoFixture.invoke(["body": "order-1", "amount": 1])])
        let reader = try fx.reader("poll=100ms&segments=3")
        var ledger = Ledger()
        #expect(try DynamoFollowAndPurgeTests.follow(reader, &ledger) { $0.count == 1 })
        #expect(reader.progress.done == 1 && reader.progress.unit == "items")

        try DynamoFollowAndPurgeTests.slowThenFailingHandlers(fx, reader, &ledger)
        #expect(reader.drainNotices().joined().contains("vanished"))

        // Killed mid-flight, then taken over once stuck: a reexecution.
        let hung = try fx.startHanging(DynamoFixture.invoke(["body": "order-4", "amount": 4], mode: "hang",
                                                            remainingMs: 800))
        kill(hung.processIdentifier, SIGKILL)
        hung.waitUntilExit()
        let k4 = DynamoFollowAndPurgeTests.key("order-4")
        #expect(try DynamoFollowAndPurgeTests.follow(reader, &ledger) { $0.record(k4)?.status(at: SystemClock().now()) == .stuck })
        let again = try fx.drive([DynamoFixture.invoke(["body": "order-4", "amount": 4])])
        #expect(again.first?["result"] != nil, "Powertools took the stuck record over and ran the handler")
        #expect(try DynamoFollowAndPurgeTests.follow(reader, &ledger) {
            $0.record(k4)?.reexecutions == 1 && $0.record(k4)?.stored == .completed
        })
        let detail = try reader.detail(for: k4)
        #expect(detail.response?.status == 200)
        #expect(detail.response?.body?.contains("charged order-4") == true)
        #expect(detail.timeline.map(\.label) == ["executed", "reexecuted", "completed"])
    }

    /// With a stream on the table, changes come from it: no rescans after the first scan.
    @Test func followsTheTablesStream() throws {
        let fx = try DynamoFixture(table: "stream", stream: "NEW_AND_OLD_IMAGES")
        _ = try fx.drive([DynamoFixture.invoke(["body": "order-1", "amount": 1])])
        let reader = try fx.reader("poll=100ms&rescan=1h")
        var ledger = Ledger()
        #expect(try DynamoFollowAndPurgeTests.follow(reader, &ledger) { $0.count == 1 })
        #expect(reader.followingStream)

        try DynamoFollowAndPurgeTests.slowThenFailingHandlers(fx, reader, &ledger)
        #expect(reader.passes == 1, "every change came from the stream")
        #expect(reader.followingStream)

        // streams=off: the same table is rescanned.
        let rescanning = try fx.reader("poll=100ms&streams=off")
        var other = Ledger()
        #expect(try DynamoFollowAndPurgeTests.follow(rescanning, &other) { _ in rescanning.passes >= 3 })
        #expect(!rescanning.followingStream)
    }

    @Test func purgeRacingACompletionLeavesTheCompletedRecord() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("idemtop-dyn-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let audit = dir.appendingPathComponent("audit.jsonl").path
        let fx = try DynamoFixture(table: "purge")
        let reader = try fx.reader("poll=100ms")
        let admin = DynamoAdmin(location: reader.location, table: try fx.reader("audit=\(audit)").table)
        var ledger = Ledger()

        // The operator looks while the handler runs...
        let slow = try fx.startHanging(DynamoFixture.invoke(["body": "order-5", "amount": 5], mode: "slow", sleep: 2.5))
        let k5 = DynamoFollowAndPurgeTests.key("order-5")
        #expect(try DynamoFollowAndPurgeTests.follow(reader, &ledger) { $0.record(k5)?.stored == .inProgress })
        let seen = try #require(ledger.record(k5))
        let saw = PurgeExpectation(status: seen.status(at: SystemClock().now()), version: Int(seen.version),
                                   storedStatus: seen.stored, expiresAt: seen.expiresAt)
        // ...the service completes it meanwhile, then the purge arrives: refused, and the record survives.
        slow.waitUntilExit()
        let outcome = try admin.purge(k5, expect: saw, actor: "oncall@test", reason: "stuck?")
        guard case .refused(let why) = outcome else {
            Issue.record("the purge went through on a record completed since: \(outcome)")
            return
        }
        #expect(why.hasPrefix("changed since you looked"))
        #expect(why.contains("COMPLETED"))
        #expect(try fx.records().first { $0.token == k5.token }?.stored == .completed)
        let auditAfterRefusal = (try? String(contentsOfFile: audit, encoding: .utf8)) ?? ""
        #expect(auditAfterRefusal.isEmpty)

        // Looking again, the purge goes through, the item is gone, and the audit journal has it.
        #expect(try DynamoFollowAndPurgeTests.follow(reader, &ledger) { $0.record(k5)?.stored == .completed })
        let now = try #require(ledger.record(k5))
        let fresh = PurgeExpectation(status: .completed, version: Int(now.version), storedStatus: now.stored,
                                     expiresAt: now.expiresAt)
        guard case .purged(let event) = try admin.purge(k5, expect: fresh, actor: "oncall@test", reason: "customer asked") else {
            Issue.record("the purge on an unchanged record was refused")
            return
        }
        #expect(event.kind == .purge && event.sawStatus == .completed)
        #expect(try fx.records().isEmpty)
        let lines = try String(contentsOfFile: audit, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("oncall@test") && lines[0].contains("customer asked"))
        // The reader sees the item vanish.
        #expect(try DynamoFollowAndPurgeTests.follow(reader, &ledger) { $0.record(k5)?.stored == .purged })

        // Without an audit journal nothing is deleted.
        _ = try fx.drive([DynamoFixture.invoke(["body": "order-6", "amount": 6])])
        let bare = DynamoAdmin(location: reader.location, table: reader.table)
        #expect(throws: StoreError.self) {
            try bare.purge(DynamoFollowAndPurgeTests.key("order-6"), expect: fresh, actor: "a", reason: "b")
        }
        #expect(try fx.records().count == 1)
    }

    @Test func checkPayloadVerdictsMatchPowertools() throws {
        let fx = try DynamoFixture(table: "check")
        _ = try fx.drive([
            DynamoFixture.invoke(["body": "order-1", "amount": 10]),
            DynamoFixture.invoke(["body": "order-3", "amount": 30], expiresAfter: 1),
        ])
        // order-4 must stay in progress (not yet takeable) until the last real request below: on a loaded CI machine
        // this test once ran 64 s, past a 30 s lock, and Powertools rightly took the record over.
        let hung = try fx.startHanging(DynamoFixture.invoke(["body": "order-4", "amount": 40], mode: "hang",
                                                            remainingMs: 600_000))
        kill(hung.processIdentifier, SIGKILL)
        hung.waitUntilExit()
        let dir = FileManager.default.temporaryDirectory
        func verdict(_ event: String, token: String = DynamoFollowAndPurgeTests.key("order-1").token) throws -> String {
            let file = dir.appendingPathComponent("idemtop-payload-\(UUID().uuidString.prefix(6)).json")
            try event.write(to: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: file) }
            let r = try IdemtopBinary.run(["check-payload", fx.url(), token, "--payload", file.path, "--jmespath", "body",
                                           "--validation-jmespath", "amount", "--format", "json"])
            guard r.code == 0, let o = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any],
                  let v = o["verdict"] as? String else { throw HarnessError("check-payload failed: \(r.err)\(r.out)") }
            return v
        }
        #expect(try verdict(#"{"body": "order-1", "amount": 10}"#) == "replayed")
        #expect(try verdict(#"{"amount": 10, "body": "order-1", "extra": "ignored"}"#) == "replayed")
        #expect(try verdict(#"{"body": "order-1", "amount": 11}"#) == "mismatch")
        #expect(try verdict(#"{"body": "order-9", "amount": 1}"#) == "executed")
        #expect(try verdict(#"{"body": "order-4", "amount": 40}"#) == "conflict")
        #expect(try verdict(#"{"nobody": 1}"#) == "no_key")
        // `show` prints the stored response (GetItem) and the validation hash as the fingerprint.
        let shown = try IdemtopBinary.run(["show", fx.url(), DynamoFollowAndPurgeTests.key("order-1").token, "--format", "json"])
        let object = try JSONSerialization.jsonObject(with: Data(shown.out.utf8)) as? [String: Any]
        #expect((object?["response"] as? [String: Any])?["status"] as? Int == 200)
        #expect(((object?["response"] as? [String: Any])?["body"] as? String)?.contains("charged order-1") == true)
        #expect(object?["fingerprint"] as? String == MD5.hex(Array("10".utf8)))

        // order-3 expires after a second: then Powertools runs it again.
        #expect(PowertoolsRecordsTests.eventually { (try? verdict(#"{"body": "order-3", "amount": 30}"#)) == "executed" })

        // Powertools agrees: each verdict is what the next real request does.
        let real = try fx.drive([
            DynamoFixture.invoke(["body": "order-1", "amount": 10]),
            DynamoFixture.invoke(["body": "order-1", "amount": 11]),
            DynamoFixture.invoke(["body": "order-4", "amount": 40]),
        ])
        #expect(real[0]["result"] != nil)
        #expect(real[1]["error"] as? String == "IdempotencyValidationError")
        #expect(real[2]["error"] as? String == "IdempotencyAlreadyInProgressError")
    }

    /// A bulk purge by filter through the real binary: handlers killed mid-flight leave INPROGRESS records that turn
    /// stuck; `purge --filter status:stuck` deletes exactly those (conditionally), the completed one stays, and the
    /// audit journal gets one admin event each.
    @Test func bulkPurgeByFilterDeletesTheStuckRecordsOnly() throws {
        let fx = try DynamoFixture(table: "bulk")
        _ = try fx.drive([DynamoFixture.invoke(["body": "done-1", "amount": 1])])
        for i in 1...3 {
            let hung = try fx.startHanging(DynamoFixture.invoke(["body": "crashed-\(i)", "amount": i], mode: "hang",
                                                                remainingMs: 300))
            kill(hung.processIdentifier, SIGKILL)
            hung.waitUntilExit()
        }
        Thread.sleep(forTimeInterval: 0.4)
        let audit = FileManager.default.temporaryDirectory.appendingPathComponent("idemtop-bulk-\(UUID().uuidString.prefix(6)).jsonl")
        defer { try? FileManager.default.removeItem(at: audit) }
        let store = fx.url("audit=\(audit.path)")
        let dry = try IdemtopBinary.run(["purge", store, "--filter", "status:stuck", "--reason", "fleet crash", "--dry-run"])
        #expect(dry.code == 0 && dry.out.hasPrefix("would purge 3 token(s):"), "\(dry.out) \(dry.err)")
        let r = try IdemtopBinary.run(["purge", store, "--filter", "status:stuck", "--reason", "fleet crash", "--yes",
                                       "--format", "json"])
        #expect(r.code == 0, "\(r.err)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any], "\(r.out)")
        #expect(object["purged"] as? Int == 3 && object["refused"] as? Int == 0)
        let left = try fx.records()
        #expect(left.count == 1 && left.first?.token == DynamoFollowAndPurgeTests.key("done-1").token, "\(left)")
        let lines = try String(contentsOf: audit, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3 && lines.allSatisfy { $0.contains("\"kind\":\"purge\"") && $0.contains("fleet crash") })
    }

    /// `idemtop tail` on a dynamodb:// store prints each change as a scan sees it.
    @Test func tailFollowsTheTable() throws {
        let fx = try DynamoFixture(table: "tail")
        let out = Pipe()
        let p = try RunningChild(IdemtopBinary.path, ["tail", fx.url("poll=200ms"), "--format", "jsonl"],
                                 environment: ProcessInfo.processInfo.environment.merging(DynamoFixture.credentials) { _, b in b },
                                 stdout: .pipe(out), stderr: .discard)
        defer { p.kill() }
        _ = try fx.drive([DynamoFixture.invoke(["body": "order-7", "amount": 7])])
        var lines: [String] = []
        while lines.count < 2 {
            let line = String(decoding: out.fileHandleForReading.readLine(), as: UTF8.self)
            if line.isEmpty { break }
            lines.append(line)
        }
        let token = DynamoFollowAndPurgeTests.key("order-7").token
        #expect(lines.count == 2)
        #expect(lines.first?.contains("\"outcome\":\"executed\"") == true && lines.first?.contains(token) == true)
        #expect(lines.last?.contains("\"kind\":\"completed\"") == true)
    }

    @Test func errorsAreOneClearLine() throws {
        let fx = try DynamoFixture(table: "errors")
        func fails(_ args: [String], env: [String: String] = DynamoFixture.credentials, saying text: String) throws {
            let r = try IdemtopBinary.run(args, environment: env)
            #expect(r.code != 0, "\(args)")
            #expect(r.err.contains(text), "\(args): \(r.err)")
            #expect(r.err.split(separator: "\n").count == 1, "one line: \(r.err)")
        }
        try fails(["list", "dynamodb://missing-table?region=us-east-1&endpoint=\(fx.server.endpoint)"],
                  saying: "table not found")
        let closed = try MotoServer.freePort()
        try fails(["list", "dynamodb://t?region=us-east-1&endpoint=http://127.0.0.1:\(closed)"],
                  saying: "connection refused")
        try fails(["list", fx.url()],
                  env: ["AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "HOME": "/nonexistent",
                        "AWS_PROFILE": "", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/c", "AWS_CONFIG_FILE": "/nonexistent/f"],
                  saying: "no AWS credentials")
        try fails(["list", fx.url("segments=0")], saying: "segments= wants 1 to 64")
        try fails(["list", fx.url("colour=blue")], saying: "unknown dynamodb option 'colour'")
        try fails(["list", "dynamodb://?region=us-east-1"], saying: "names no table")
    }
}
