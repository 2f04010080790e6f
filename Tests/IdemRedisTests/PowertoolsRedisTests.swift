import Foundation
import IdemCore
import IdemStore
import IdemTestSupport
import Testing
@testable import IdemRedis
import IdemDynamo

/// Records written by the real aws-lambda-powertools 3.37.0 (CachePersistenceLayer over redis-py) into a real
/// redis-server, read by idemtop; idemtop's statuses must equal what Powertools itself decides at the same instants.
@Suite(.serialized) struct PowertoolsRedisTests {
    static let server = Result { try RedisServer() }
    let fx: RedisFixture

    init() throws { fx = RedisFixture(server: try PowertoolsRedisTests.server.get()) }

    static func key(_ body: String, function: String = "payments-fn") -> String {
        // Powertools' key: md5 of json.dumps of the event_key_jmespath's result (a JSON string here).
        "\(function).app.handler#" + md5Hex("\"\(body)\"")
    }

    @Test func everyScenarioHasPowertoolsOwnStatusAtTheSameInstant() throws {
        try fx.server.cli(["FLUSHALL"])
        let answers = try fx.drive([
            RedisFixture.invoke("order-1"),                       // completed
            RedisFixture.invoke("order-1"),                       // the identical retry
            RedisFixture.invoke("order-1", amount: 11),           // another payload under the key
            RedisFixture.invoke("order-2", mode: "raise"),        // the handler raises: no record
        ])
        // Powertools 3.37.0 drops the validation hash when it completes a record, so even the identical retry is
        // refused: the finding idemtop reports for completed records without their hash.
        #expect(answers[1]["error"] as? String == "IdempotencyValidationError")
        #expect(answers[2]["error"] as? String == "IdempotencyValidationError")
        #expect(answers[3]["error"] as? String == "RuntimeError")
        // Killed mid-flight with 1.5 s of Lambda time left: INPROGRESS, taken over once that passed.
        let stuck = try fx.startHanging(RedisFixture.invoke("order-4", remainingMs: 1500))
        kill(stuck.processIdentifier, SIGKILL)
        stuck.waitUntilExit()
        // Killed without a Lambda context: no in_progress_expiration, so 3.37.0 keeps it locked until expiry.
        let noContext = try fx.startHanging(RedisFixture.invoke("order-6", remainingMs: nil))
        kill(noContext.processIdentifier, SIGKILL)
        noContext.waitUntilExit()
        // An orphan taken over: killed with 300 ms left, then the same request again once that passed.
        let orphan = try fx.startHanging(RedisFixture.invoke("order-5", remainingMs: 300))
        kill(orphan.processIdentifier, SIGKILL)
        orphan.waitUntilExit()
        let takeoverDeadline = Date().addingTimeInterval(30)
        var takeover: [[String: Any]] = []
        // Powertools gives the lock min(10, expires_after) seconds: written here without that TTL, so the checks and
        // reads below, seconds each on a loaded machine, still find the evidence of the takeover.
        var again = RedisFixture.invoke("order-5")
        again["without_ttl"] = "lock"
        repeat {
            takeover = try fx.drive([again])
        } while takeover.first?["error"] as? String == "IdempotencyAlreadyInProgressError" && Date() < takeoverDeadline
        #expect(takeover.first?["result"] != nil, "the orphan was taken over: \(takeover)")
        #expect(try fx.server.cli(["EXISTS", PowertoolsRedisTests.key("order-5") + ":lock"]) == "1")
        #expect(try fx.server.cli(["EXISTS", PowertoolsRedisTests.key("order-2")]) == "0")

        let now = Int64(Date().timeIntervalSince1970 * 1000)
        // Now, once order-4's deadline passed (stuck), and past every expiry: each instant both decide alike.
        var instants = [now, now + 7_200_000]
        let order4Free = now + 1600
        instants.append(order4Free)
        for at in instants {
            let powertools = try fx.powertoolsStatuses(atMs: at)
            let idemtop = try fx.idemtopStatuses(atMs: at, options: "validation=1")
            #expect(powertools.count == 4, "\(powertools)")
            #expect(idemtop == powertools, "at \(Instant(ms: at).rfc3339)")
        }
        let later = try fx.idemtopStatuses(atMs: now + 1600)
        #expect(later[PowertoolsRedisTests.key("order-4")] == "stuck")
        #expect(later[PowertoolsRedisTests.key("order-6")] == "in_progress")
        #expect(later[PowertoolsRedisTests.key("order-1")] == "completed")

        // What only these records reveal: each of the three findings, on the records that show it.
        let reader = try fx.reader("validation=1")
        var events: [StoreEvent] = [], malformed: [MalformedEntry] = [], notices: [String] = []
        _ = try RedisFixture.poll(reader, into: &events, malformed: &malformed, notices: &notices) { _, _ in
            reader.passes == 1
        }
        let found = Set(reader.findings.map { "\($0.kind.rawValue) \($0.key)" })
        #expect(found == [
            "completed_without_validation \(PowertoolsRedisTests.key("order-1"))",
            "completed_without_validation \(PowertoolsRedisTests.key("order-5"))",
            "in_progress_without_deadline \(PowertoolsRedisTests.key("order-6"))",
            "orphan_takeover \(PowertoolsRedisTests.key("order-5"))",
        ])
        #expect(notices.contains { $0.hasPrefix("2 COMPLETED record(s) without their validation hash") }, "\(notices)")
        #expect(notices.contains { $0.hasPrefix("1 orphan takeover lock(s)") }, "\(notices)")
        #expect(malformed.isEmpty, "the :lock key is not an unreadable record")
        // The same, as core findings: the reader's list for the detectors, and `idemtop audit` (table and JSON).
        let token = { (body: String) in String(PowertoolsRedisTests.key(body).split(separator: "#")[1]) }
        #expect(Set(reader.storeFindings.map { "\($0.kind.rawValue) \($0.tokens[0])" }) == [
            "validation_hash_dropped \(token("order-1"))", "validation_hash_dropped \(token("order-5"))",
            "in_progress_no_deadline \(token("order-6"))", "orphan_takeover \(token("order-5"))",
        ])
        let audit = try IdemtopBinary.run(["audit", fx.url("validation=1"), "--format", "json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(audit.out.utf8)) as? [[String: Any]],
                                "\(audit.out) \(audit.err)")
        let byKind = Dictionary(grouping: rows, by: { $0["kind"] as? String ?? "" })
        #expect(Set((byKind["validation_hash_dropped"] ?? []).flatMap { $0["tokens"] as? [String] ?? [] })
            == [token("order-1"), token("order-5")])
        #expect((byKind["in_progress_no_deadline"] ?? []).map { $0["tokens"] as? [String] ?? [] } == [[token("order-6")]])
        let lockFinding = try #require(byKind["orphan_takeover"]?.first)
        #expect(lockFinding["severity"] as? String == "high" && lockFinding["tenant"] as? String == "payments-fn")
        #expect((lockFinding["evidence"] as? String)?.contains(PowertoolsRedisTests.key("order-5") + ":lock") == true)
        let table = try IdemtopBinary.run(["audit", fx.url("validation=1"), "--fail-on", "high"])
        #expect(table.code == 4 && table.out.contains("orphan_takeover") && table.out.contains("in_progress_no_deadline"),
                "\(table.out)")
        let filtered = try IdemtopBinary.run(["list", fx.url(), "--filter", "finding:takeover", "--format", "json"])
        #expect(filtered.code == 0 && filtered.out.contains(token("order-5")) && !filtered.out.contains(token("order-1")),
                "\(filtered.out) \(filtered.err)")
        // Without validation=1 nothing says the service validates: no such finding.
        let plain = try fx.reader()
        _ = try RedisFixture.poll(plain, into: &events, malformed: &malformed, notices: &notices) { _, _ in plain.passes == 1 }
        #expect(!plain.findings.contains { $0.kind == .completedWithoutValidation })
    }

    @Test func checkPayloadDecidesAsPowertoolsDoes() throws {
        try fx.server.cli(["FLUSHALL"])
        _ = try fx.drive([RedisFixture.invoke("order-1")])
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("idemtop-event-\(UUID().uuidString.prefix(6)).json")
        defer { try? FileManager.default.removeItem(at: file) }
        func check(_ event: String, validation: Bool) throws -> String {
            try Data(event.utf8).write(to: file)
            var args = ["check-payload", fx.url(), PowertoolsRedisTests.key("order-1"), "--payload", file.path,
                        "--jmespath", "body", "--format", "json"]
            if validation { args += ["--validation-jmespath", "amount"] }
            let r = try IdemtopBinary.run(args)
            guard r.code == 0, let o = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any] else {
                throw HarnessError("check-payload failed (\(r.code)): \(r.err) \(r.out)")
            }
            return o["verdict"] as? String ?? "?"
        }
        // The identical retry: idemtop says mismatch, and Powertools itself raises IdempotencyValidationError.
        #expect(try check(#"{"body": "order-1", "amount": 10}"#, validation: true) == "mismatch")
        let real = try fx.drive([RedisFixture.invoke("order-1")])
        #expect(real.first?["error"] as? String == "IdempotencyValidationError")
        #expect(try check(#"{"body": "order-1", "amount": 10}"#, validation: false) == "replayed")
        let plain = try fx.drive([RedisFixture.invoke("order-1", validation: false)])
        #expect(plain.first?["result"] != nil, "without validation Powertools replays: \(plain)")
        #expect(try check(#"{"body": "order-77", "amount": 10}"#, validation: true) == "executed")
    }

    @Test func unreadableValuesAreCountedAndListedNeverFatal() throws {
        try fx.server.cli(["FLUSHALL"])
        _ = try fx.drive([RedisFixture.invoke("order-9")])
        try fx.server.cli(["SET", "not-json", "hello"])
        try fx.server.cli(["HSET", "a-hash", "status", "COMPLETED"])
        try fx.server.cli(["SET", "fn.app.handler#wrongtype", "{\"status\": 5, \"expiration\": 1}"])
        try fx.server.cli(["SET", "fn.app.handler#badexpiry", "{\"status\": \"COMPLETED\", \"expiration\": \"soon\"}"])
        let r = try IdemtopBinary.run(["list", fx.url(), "--format", "json"])
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.contains(PowertoolsRedisTests.key("order-9").split(separator: "#")[1]))
        #expect(r.err.contains("4 malformed key(s)"), "\(r.err)")
        var events: [StoreEvent] = [], malformed: [MalformedEntry] = [], notices: [String] = []
        let reader = try fx.reader()
        try RedisFixture.poll(reader, into: &events, malformed: &malformed, notices: &notices) { e, _ in
            e.count >= 2
        }
        #expect(Set(reader.unreadable.keys) == ["not-json", "a-hash", "fn.app.handler#wrongtype", "fn.app.handler#badexpiry"])
        #expect(reader.unreadable["not-json"] == "not JSON")
        #expect(reader.unreadable["a-hash"]?.contains("WRONGTYPE") == true)
        #expect(reader.unreadable["fn.app.handler#wrongtype"] == "no string field 'status'")
        #expect(reader.unreadable["fn.app.handler#badexpiry"] == "'expiration' is not a number")
        #expect(malformed.count == 4)
    }
}

/// Lowercase hex MD5, for Powertools' key hash.
func md5Hex(_ text: String) -> String {
    MD5.digest(Array(text.utf8)).map { String(format: "%02x", $0) }.joined()
}
