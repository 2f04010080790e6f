import Foundation
import IdemCore
import IdemStore
import IdemTestSupport
import Testing
@testable import IdemPostgres

/// Following a live rocket-rides table (new rows, updates, deletions, idle polls skipped, a server restart), and
/// the guarded purge (compare-and-set on xmin, a row locked by another transaction, the audit journal).
@Suite(.serialized) struct PostgresFollowAndPurgeTests {
    static let table = "table=idempotency_keys&preset=rocket-rides&poll=50ms"

    @Test func followsInsertsUpdatesAndDeletesAndSkipsIdlePolls() throws {
        let fx = try PGFixture("follow_rr", setup: "rocket-setup")
        try fx.drive([["op": "rocket-request", "user": 1, "key": "key-one-0000000000001"]])
        let reader = try fx.reader(PostgresFollowAndPurgeTests.table)
        var ledger = Ledger()
        try load(reader, into: &ledger)
        #expect(ledger.records.count == 1)
        let k2 = TokenKey(tenant: "2", token: "key-two-0000000000002")
        try fx.drive([["op": "rocket-request", "user": 2, "key": "key-two-0000000000002", "stop_at": "ride_created"]])
        #expect(try follow(reader, &ledger) { $0.record(k2)?.stored == .inProgress })
        try fx.drive([["op": "rocket-request", "user": 2, "key": "key-two-0000000000002",
                       "params": ["origin_lat": 0.0]]])
        // A retry of a locked key is a 409 and changes nothing; after the lock is released (an error) it resumes.
        _ = try fx.sql("UPDATE idempotency_keys SET locked_at = NULL WHERE user_id = 2")
        #expect(try follow(reader, &ledger) { $0.record(k2)?.stored == .failed })
        try fx.drive([["op": "rocket-request", "user": 2, "key": "key-two-0000000000002"]])
        #expect(try follow(reader, &ledger) { $0.record(k2)?.stored == .completed })
        _ = try fx.sql("DELETE FROM idempotency_keys WHERE user_id = 1")
        let k1 = TokenKey(tenant: "1", token: "key-one-0000000000001")
        #expect(try follow(reader, &ledger) { $0.record(k1)?.stored == .purged })
        #expect(reader.drainNotices().contains { $0.contains("1 row(s) vanished") })
        // Idle: the statistics do not move, so polls read nothing.
        let looks = reader.looks
        let idleUntil = Date().addingTimeInterval(1.5)
        while Date() < idleUntil { _ = try follow(reader, &ledger, seconds: 0.1) { _ in false } }
        #expect(reader.looks == looks)
    }

    @Test func purgeIsACompareAndSetOnTheRowVersionSeen() throws {
        let fx = try PGFixture("purge_rr", setup: "rocket-setup")
        try fx.drive([
            ["op": "rocket-request", "user": 1, "key": "key-purge-00000000001", "stop_at": "started"],
            ["op": "rocket-request", "user": 1, "key": "key-changed-000000002", "stop_at": "started"],
            ["op": "rocket-request", "user": 1, "key": "key-locked-0000000003", "stop_at": "started"],
        ])
        let audit = NSTemporaryDirectory() + "pg-audit-\(UUID().uuidString).jsonl"
        let options = PostgresFollowAndPurgeTests.table + "&audit=\(audit)&lock_wait=300ms"
        let reader = try fx.reader(options)
        var ledger = Ledger()
        try load(reader, into: &ledger)
        let admin = try PostgresAdmin(location: try fx.location(options))
        let now = Instant(Date())
        func expect(_ token: String) throws -> (TokenKey, PurgeExpectation) {
            let key = TokenKey(tenant: "1", token: token)
            return (key, PurgeExpectation(record: try #require(ledger.record(key)), at: now))
        }
        // Changed since the operator looked (the service moved it to the next recovery point): refused.
        let (changed, sawChanged) = try expect("key-changed-000000002")
        _ = try fx.sql("UPDATE idempotency_keys SET recovery_point = 'ride_created' WHERE idempotency_key = 'key-changed-000000002'")
        guard case .refused(let why) = try admin.purge(changed, expect: sawChanged, actor: "t@h", reason: "r") else {
            Issue.record("a changed row was purged"); return
        }
        #expect(why.contains("changed since you looked"), "\(why)")
        #expect(try fx.sql("SELECT 1 FROM idempotency_keys WHERE idempotency_key = 'key-changed-000000002'").count == 1)
        // A row another transaction holds: lock_timeout, one line, nothing deleted.
        let (locked, sawLocked) = try expect("key-locked-0000000003")
        let holder = try PGConnection(conninfo: fx.server.url("", db: fx.db).replacingOccurrences(of: "?", with: ""))
        try holder.query("BEGIN")
        try holder.query("SELECT 1 FROM idempotency_keys WHERE idempotency_key = 'key-locked-0000000003' FOR UPDATE")
        let started = Date()
        guard case .refused(let lockWhy) = try admin.purge(locked, expect: sawLocked, actor: "t@h", reason: "r") else {
            Issue.record("a locked row was purged"); return
        }
        #expect(lockWhy.contains("locked by another transaction"), "\(lockWhy)")
        #expect(Date().timeIntervalSince(started) < 20)
        try holder.query("ROLLBACK")
        // Unchanged: deleted, and the admin event is in the audit journal.
        let (purge, saw) = try expect("key-purge-00000000001")
        guard case .purged = try admin.purge(purge, expect: saw, actor: "t@h", reason: "stuck charge") else {
            Issue.record("an unchanged row was refused"); return
        }
        #expect(try fx.sql("SELECT 1 FROM idempotency_keys WHERE idempotency_key = 'key-purge-00000000001'").count == 0)
        let journal = try String(contentsOfFile: audit, encoding: .utf8)
        #expect(journal.contains("stuck charge") && journal.contains("key-purge-00000000001"))
        // The reader does not report idemtop's own purge as a deletion from outside.
        _ = try follow(reader, &ledger, seconds: 1.5) { _ in false }
        #expect(!reader.drainNotices().contains { $0.contains("vanished") })
    }

    @Test func theServerRestartingMidFollowIsOneNoticeAndNothingIsLost() throws {
        let server = try PostgresServer()
        let fx = try PGFixture("restart_rr", setup: "rocket-setup", server: server)
        try fx.drive([["op": "rocket-request", "user": 1, "key": "key-before-0000000001"]])
        let reader = try fx.reader(PostgresFollowAndPurgeTests.table)
        var ledger = Ledger()
        try load(reader, into: &ledger)
        try server.stop()
        _ = try follow(reader, &ledger, seconds: 1) { _ in false }
        let lost = reader.drainNotices()
        #expect(lost.count == 1 && lost[0].contains("connection lost"), "\(lost)")
        try server.start()
        try fx.drive([["op": "rocket-request", "user": 2, "key": "key-after-00000000002"]])
        #expect(try follow(reader, &ledger) { $0.record(TokenKey(tenant: "2", token: "key-after-00000000002")) != nil })
        #expect(reader.drainNotices().contains { $0.contains("reconnected") })
        #expect(ledger.records.count == 2)
        try server.stop()
    }
}
