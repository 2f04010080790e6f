import Foundation
import IdemCore
import IdemStore
import Testing
@testable import IdemDynamo

/// Records written by the real Powertools library into moto, read by idemtop: every status as Powertools decides it.
@Suite(.serialized) struct PowertoolsRecordsTests {
    /// Waits until `condition` holds or `seconds` pass.
    static func eventually(_ seconds: Double = 15, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return try condition()
    }

    /// Completed, replayed, mismatch, raised, expired and killed-mid-flight records, then compares idemtop's status
    /// of each with Powertools' own at the same instants, including one millisecond either side of each deadline.
    func checkLayout(_ fx: DynamoFixture) throws {
        let order1 = ["body": "order-1", "amount": 10] as [String: Any]
        let results = try fx.drive([
            DynamoFixture.invoke(order1),
            DynamoFixture.invoke(order1),
            DynamoFixture.invoke(["body": "order-1", "amount": 11]),
            DynamoFixture.invoke(["body": "order-2", "amount": 5], mode: "raise"),
        ])
        #expect(results.count == 4)
        // The repeat is replayed: the same stored response, so the same execution time.
        let first = results[0]["result"] as? [String: Any], second = results[1]["result"] as? [String: Any]
        #expect((first?["executed_at"] as? Double) == (second?["executed_at"] as? Double))
        #expect(results[2]["error"] as? String == "IdempotencyValidationError")
        #expect(results[3]["error"] as? String == "RuntimeError")

        let hung = try fx.startHanging(DynamoFixture.invoke(["body": "order-4", "amount": 3], mode: "hang",
                                                            remainingMs: 1500))
        kill(hung.processIdentifier, SIGKILL)
        hung.waitUntilExit()
        // order-3 comes last, so every instant compared below is after every record was written. `list --at T` is
        // the table as it stood at T: a record written after T is not in it, while Powertools, asked at T, judges
        // the table as it is now. (With order-3 first, order-4's slow start, more than a second on a busy machine,
        // put it after order-3's expiry boundary: idemtop left it out there and the two disagreed.) order-3's own
        // write time is taken from its expiration minus the reader's standard hour, so it is in the table at every
        // instant compared whatever the clock does.
        #expect(try fx.drive([DynamoFixture.invoke(["body": "order-3", "amount": 7], expiresAfter: 1)]).count == 1)

        let records = try fx.records()
        #expect(records.count == 3, "order-2 raised, so Powertools deleted its record")
        let byBody = Dictionary(uniqueKeysWithValues: records.map { ($0.token, $0) })
        let key1 = MD5.hex(Array("\"order-1\"".utf8))
        #expect(byBody[key1]?.validation == MD5.hex(Array("10".utf8)))
        #expect(byBody[key1]?.tenant == "payments-fn")
        #expect(byBody[key1]?.operation == "app.handler")

        // Now, whatever the clock has reached, both agree.
        let current = try fx.powertoolsStatuses()
        #expect(try fx.idemtopStatuses(atMs: current.nowMs) == current.statuses)
        // Before order-4's in-progress deadline: order-1 completed, order-4 in progress.
        let later = try #require(records.first { $0.stored == .inProgress }?.inProgressExpiration)
        let early = try fx.powertoolsStatuses(atMs: later - 500)
        #expect(try fx.idemtopStatuses(atMs: later - 500) == early.statuses)
        #expect(early.statuses.values.contains("in_progress"))

        // Past the deadlines: order-3 expired, order-4 stuck.
        let expiring = try #require(byBody[MD5.hex(Array("\"order-3\"".utf8))]?.expiration)
        #expect(PowertoolsRecordsTests.eventually {
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            return now > later + 10 && now > (expiring + 1) * 1000 + 10
        })
        let late = try fx.powertoolsStatuses()
        #expect(Set(late.statuses.values) == ["completed", "expired", "stuck"])
        #expect(try fx.idemtopStatuses(atMs: late.nowMs) == late.statuses)

        // The boundaries, to the millisecond: Powertools' `>` on whole seconds and `<` on milliseconds.
        for at in [later, later + 1, expiring * 1000 + 999, (expiring + 1) * 1000] {
            let pt = try fx.powertoolsStatuses(atMs: at)
            #expect(try fx.idemtopStatuses(atMs: at) == pt.statuses, "at \(at)")
        }
    }

    @Test func simpleLayoutStatusesMatchPowertools() throws {
        try checkLayout(try DynamoFixture(table: "simple"))
    }

    @Test func sortKeyLayoutWithRenamedAttributesMatchesPowertools() throws {
        let attrs: [String: Any] = ["key_attr": "pk", "expiry_attr": "exp_at", "in_progress_expiry_attr": "lock_ms",
                                    "status_attr": "state", "data_attr": "payload", "validation_key_attr": "vhash"]
        let fx = try DynamoFixture(
            table: "sorted", layout: ["sort_key_attr": "sk", "attrs": attrs],
            urlOptions: "expiry_attr=exp_at&in_progress_expiry_attr=lock_ms&status_attr=state&data_attr=payload"
                + "&validation_key_attr=vhash",
            keyAttr: "pk", sortKeyAttr: "sk")
        try checkLayout(fx)
        // The partition alone, with a Query: the same records; another function's partition is empty.
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let scanned = try fx.idemtopStatuses(atMs: now)
        #expect(try fx.idemtopStatuses(atMs: now, extra: "function=payments-fn") == scanned)
        #expect(try fx.idemtopStatuses(atMs: now, extra: "static_pk_value=idempotency%23other-fn").isEmpty)
        let records = try fx.records()
        #expect(records.allSatisfy { $0.partitionValue == "idempotency#payments-fn" })
    }

    /// A config file instead of query options.
    @Test func configFileNamesTheAttributes() throws {
        let attrs: [String: Any] = ["status_attr": "st", "expiry_attr": "ttl"]
        let fx = try DynamoFixture(table: "configured", layout: ["attrs": attrs])
        _ = try fx.drive([DynamoFixture.invoke(["body": "order-1", "amount": 1])])
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("idemtop-\(fx.table).conf")
        try "# how payments-fn configured Powertools\nstatus_attr = st\nexpiry_attr = ttl\n"
            .write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let statuses = try fx.idemtopStatuses(atMs: Int64(Date().timeIntervalSince1970 * 1000), extra: "config=\(file.path)")
        #expect(Array(statuses.values) == ["completed"])
        // Without the names the item is not a Powertools record to idemtop: counted as malformed, never a crash.
        let r = try IdemtopBinary.run(["list", fx.url(), "--format", "json"])
        #expect(r.code == 0)
        #expect(r.err.contains("malformed"))
    }
}
