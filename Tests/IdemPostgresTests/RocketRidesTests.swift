import Foundation
import IdemCore
import IdemStore
import IdemTestSupport
import Testing
@testable import IdemPostgres

/// The rocket-rides preset on a real PostgreSQL 15, with rows written by rocket-rides' own atomic phases.
@Suite(.serialized) struct RocketRidesTests {
    static let table = "table=idempotency_keys&preset=rocket-rides"

    @Test func finishedFailedAndInProgressKeysReadWithTheirStatuses() throws {
        let fx = try PGFixture("rr_statuses", setup: "rocket-setup")
        try fx.drive([
            ["op": "rocket-request", "user": 1, "key": "key-finished-000000001"],
            ["op": "rocket-request", "user": 2, "key": "key-finished-000000001"],
            ["op": "rocket-request", "user": 1, "key": "key-failed-0000000002", "fail": true],
            ["op": "rocket-request", "user": 1, "key": "key-charging-00000003", "stop_at": "charge_created"],
            ["op": "rocket-request", "user": 3, "key": "key-declined-00000004", "code": 402],
        ])
        let reader = try fx.reader(RocketRidesTests.table + "&page=2")
        var ledger = Ledger()
        try load(reader, into: &ledger)
        let now = Instant(Date())
        func status(_ user: String, _ token: String) -> TokenStatus? {
            ledger.record(TokenKey(tenant: user, token: token))?.status(at: now)
        }
        #expect(ledger.records.count == 5)
        #expect(status("1", "key-finished-000000001") == .completed)
        // The same key under another user is another token (the unique index is (user_id, idempotency_key)).
        #expect(status("2", "key-finished-000000001") == .completed)
        #expect(status("1", "key-failed-0000000002") == .failed)
        #expect(status("1", "key-charging-00000003") == .inProgress)
        #expect(ledger.record(TokenKey(tenant: "3", token: "key-declined-00000004"))?.responseStatus == 402)
        let charging = try #require(ledger.record(TokenKey(tenant: "1", token: "key-charging-00000003")))
        // Stuck after the 90 s lock timeout, expired after the reaper's 72 h.
        #expect(charging.status(at: now + .seconds(91)) == .stuck)
        #expect(charging.status(at: now + .hours(73)) == .expired)
        #expect(ledger.operation(of: charging) == "POST /rides")
        #expect(ledger.malformedCount == 0)
        let detail = try reader.detail(for: TokenKey(tenant: "1", token: "key-finished-000000001"))
        #expect(detail.request?.body?.contains("origin_lat") == true)
        #expect(detail.response?.status == 201)
        #expect(detail.response?.body?.contains("Payment accepted") == true)
    }

    /// Ids 1...25 in pages of 4: sorted as text ("10" < "2") a page would skip rows and read others twice.
    @Test func pagesCoverEveryRowWhenIdsCrossADigit() throws {
        let fx = try PGFixture("rr_pages", setup: "rocket-setup")
        _ = try fx.sql("INSERT INTO idempotency_keys (idempotency_key, request_method, request_params, request_path, "
            + "recovery_point, user_id) SELECT 'key-' || lpad(g::text, 17, '0'), 'POST', '{}', '/rides', 'started', 1 "
            + "FROM generate_series(1, 25) g")
        let reader = try fx.reader(RocketRidesTests.table + "&page=4")
        var ledger = Ledger()
        try load(reader, into: &ledger)
        #expect(ledger.records.count == 25)
        #expect(reader.progress.done == 25)
    }

    @Test func twoConnectionsRacingOnOneKeyExecuteOnce() throws {
        let fx = try PGFixture("rr_race", setup: "rocket-setup")
        let out = try fx.drive([["op": "rocket-race", "user": 1, "key": "key-raced-00000000001"]])
        let statuses = try #require(out.first?["statuses"] as? [Int])
        #expect(statuses.sorted() == [201, 429])
        let reader = try fx.reader(RocketRidesTests.table)
        var ledger = Ledger()
        try load(reader, into: &ledger)
        let r = try #require(ledger.record(TokenKey(tenant: "1", token: "key-raced-00000000001")))
        #expect(ledger.records.count == 1)
        #expect(r.executions == 1)
        #expect(r.stored == .completed)
    }

    @Test func aConnectionKilledWhileHoldingTheLockLeavesTheKeyStuck() throws {
        let fx = try PGFixture("rr_killed", setup: "rocket-setup")
        let (holder, line) = try PresetDriver.start(["dsn": fx.server.dsn(fx.db), "steps": [
            ["op": "rocket-hold", "user": 1, "key": "key-killed-0000000001"]]])
        #expect(line.contains("holding"))
        holder.kill()
        // rocket-rides' own lock timeout is 90 s; lock_timeout= shortens it so the test sees it pass.
        let reader = try fx.reader(RocketRidesTests.table + "&lock_timeout=1s")
        var ledger = Ledger()
        let key = TokenKey(tenant: "1", token: "key-killed-0000000001")
        #expect(try follow(reader, &ledger) { $0.record(key)?.stored == .inProgress })
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, ledger.record(key)?.status(at: Instant(Date())) != .stuck {
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(ledger.record(key)?.status(at: Instant(Date())) == .stuck)
    }
}
