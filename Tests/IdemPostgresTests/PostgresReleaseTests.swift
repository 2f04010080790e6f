import Foundation
import IdemCore
import IdemProcess
import IdemStore
import IdemTestSupport
import Testing
@testable import IdemPostgres

/// Purging a stuck rocket-rides key releases its lock the way rocket-rides' `atomic_phase` does after an error
/// (`locked_at = NULL`), still a compare-and-set on xmin and audited, so the client's retry resumes at the
/// recovery point; `stuck_purge=delete` deletes instead, and a preset without an unlock deletes.
@Suite(.serialized) struct PostgresReleaseTests {
    static let options = "table=idempotency_keys&preset=rocket-rides&poll=50ms&lock_wait=300ms"

    /// A key whose request stopped at `ride_created` 100 s ago: stuck under rocket-rides' 90 s lock timeout.
    static func stuckKey(_ fx: PGFixture, _ token: String) throws -> TokenKey {
        try fx.drive([["op": "rocket-request", "user": 1, "key": token, "stop_at": "ride_created"]])
        _ = try fx.sql("UPDATE idempotency_keys SET locked_at = now() - interval '100 seconds' WHERE idempotency_key = '\(token)'")
        return TokenKey(tenant: "1", token: token)
    }

    @Test func aStuckRocketRidesKeyIsReleasedKeepingItsRecoveryPointAndTheRetryResumes() throws {
        let fx = try PGFixture("release_rr", setup: "rocket-setup")
        let key = try PostgresReleaseTests.stuckKey(fx, "key-stuck-0000000001")
        let changed = try PostgresReleaseTests.stuckKey(fx, "key-stuck-0000000002")
        let audit = NSTemporaryDirectory() + "pg-release-\(UUID().uuidString).jsonl"
        let options = PostgresReleaseTests.options + "&audit=\(audit)"
        let reader = try fx.reader(options)
        var ledger = Ledger()
        try load(reader, into: &ledger)
        let now = Instant(Date())
        let record = try #require(ledger.record(key))
        #expect(record.status(at: now) == .stuck)
        let admin = try PostgresAdmin(location: try fx.location(options))
        // The service took the other key back meanwhile (a retry locked it): the compare-and-set refuses.
        let sawChanged = PurgeExpectation(record: try #require(ledger.record(changed)), at: now)
        _ = try fx.sql("UPDATE idempotency_keys SET locked_at = now() WHERE idempotency_key = 'key-stuck-0000000002'")
        guard case .refused(let why) = try admin.purge(changed, expect: sawChanged, actor: "t@h", reason: "r") else {
            Issue.record("a key written since was released"); return
        }
        #expect(why.contains("changed since you looked"), "\(why)")
        #expect(try fx.sql("SELECT locked_at IS NOT NULL FROM idempotency_keys WHERE idempotency_key = 'key-stuck-0000000002'").string(0, 0) == "t")
        guard case .purged(let event) = try admin.purge(key, expect: PurgeExpectation(record: record, at: now),
                                                         actor: "t@h", reason: "stuck ride") else {
            Issue.record("an unchanged stuck key was refused"); return
        }
        #expect(event.reason?.contains("lock released (locked_at = NULL") == true, "\(event.reason ?? "")")
        // The row stays, unlocked, at its recovery point.
        let row = try fx.sql("SELECT recovery_point, locked_at IS NULL FROM idempotency_keys WHERE idempotency_key = 'key-stuck-0000000001'")
        #expect(row.count == 1 && row.string(0, 0) == "ride_created" && row.string(0, 1) == "t")
        let journal = try String(contentsOfFile: audit, encoding: .utf8)
        #expect(journal.contains("\"kind\":\"purge\"") && journal.contains("lock released"))
        // The reader sees it unlocked: failed, a retry resumes it; the retry then finishes it.
        #expect(try follow(reader, &ledger) { $0.record(key)?.stored == .failed })
        let resumed = try fx.drive([["op": "rocket-request", "user": 1, "key": "key-stuck-0000000001"]])
        #expect(resumed.first?["status"] as? Int == 201, "\(resumed)")
        #expect(try follow(reader, &ledger) { $0.record(key)?.stored == .completed })
        #expect(try fx.sql("SELECT count(*) FROM idempotency_keys").string(0, 0) == "2")
    }

    /// What the operator is told before and after: a stuck rocket-rides key is released (the retry resumes it),
    /// any other purge, and every purge under `stuck_purge=delete` or of a preset without an unlock, deletes the
    /// row, which the standard wording says.
    @Test func aPurgeIsWordedAsWhatItDoes() throws {
        let driver = PostgresDriver()
        let rr = try #require(try driver.recognise("postgres://u@h/db?table=idempotency_keys&preset=rocket-rides"))
        let release = driver.purgeWording(for: .stuck, in: rr)
        #expect(release.action == "Release the lock of" && release.done == "released the lock of")
        #expect(release.consequence == "its lock is released (locked_at = NULL) and the row kept at its recovery "
            + "point: the next retry with this key runs the request's remaining phases again; nothing is deleted")
        for status in TokenStatus.allCases where status != .stuck {
            #expect(driver.purgeWording(for: status, in: rr) == .standard(for: status), "\(status)")
        }
        for other in ["preset=rocket-rides&stuck_purge=delete", "preset=medusa", "preset=idempotence4j"] {
            let l = try #require(try driver.recognise("postgres://u@h/db?table=t&\(other)"))
            #expect(driver.purgeWording(for: .stuck, in: l) == .standard(for: .stuck), "\(other)")
        }
        // Through the registry, as the CLI and the dashboard ask; a store kind that says nothing keeps the standard.
        let registry = StoreRegistry.files.adding(driver)
        let seen = PurgeExpectation(status: .stuck, version: 1, storedStatus: .inProgress, expiresAt: Instant(ms: 0))
        let target = PurgeTarget(key: TokenKey(tenant: "1", token: "k"), operation: "POST /rides", expect: seen,
                                 age: .seconds(100), hits: 0)
        #expect(target.wording == .standard(for: .stuck) && target.consequence == TokenStatus.stuck.purgeConsequence)
        #expect(registry.worded(target, in: rr).consequence == release.consequence)
        #expect(registry.worded(target, in: JournalDriver.location("/tmp/p.jsonl")) == target)
    }

    /// The CLI says what a purge of a stuck key will do before it is confirmed and what it did after: the lock
    /// released and the row kept; with `stuck_purge=delete` it says purged, and the row is gone.
    @Test func theCLISaysAStuckKeyIsReleasedNotDeleted() throws {
        let fx = try PGFixture("release_cli", setup: "rocket-setup")
        let key = try PostgresReleaseTests.stuckKey(fx, "key-stuck-0000000005")
        let other = try PostgresReleaseTests.stuckKey(fx, "key-stuck-0000000006")
        let audit = NSTemporaryDirectory() + "pg-release-\(UUID().uuidString).jsonl"
        let env = ["PGPASSWORD": PostgresServer.password]
        let url = PostgresCLITests.bare(fx, PostgresReleaseTests.options + "&audit=\(audit)")
        let purge = ["purge", url, key.token, "--tenant", "1", "--reason", "stuck ride"]
        let release = PostgresDriver().purgeWording(for: .stuck, in: try fx.location(PostgresReleaseTests.options))

        let dry = try PostgresCLITests.idemtop(purge + ["--dry-run"], env)
        #expect(dry.code == 0, "\(dry.stderrText)")
        #expect(dry.stdoutText.contains("  " + release.consequence + "\n"), "\(dry.stdoutText)")
        #expect(!dry.stdoutText.contains(TokenStatus.stuck.purgeConsequence), "\(dry.stdoutText)")
        let done = try PostgresCLITests.idemtop(purge + ["--yes"], env)
        #expect(done.code == 0, "\(done.stderrText)")
        #expect(done.stdoutText.contains(release.consequence), "\(done.stdoutText)")
        #expect(done.stdoutText.contains("\nreleased the lock of 1/key-stuck-0000000005 (saw stuck, version "),
                "\(done.stdoutText)")
        #expect(!done.stdoutText.contains("purged 1/"), "\(done.stdoutText)")
        let row = try fx.sql("SELECT recovery_point, locked_at IS NULL FROM idempotency_keys WHERE idempotency_key = '\(key.token)'")
        #expect(row.count == 1 && row.string(0, 0) == "ride_created" && row.string(0, 1) == "t")

        let deleting = PostgresCLITests.bare(fx, PostgresReleaseTests.options + "&audit=\(audit)&stuck_purge=delete")
        let deleted = try PostgresCLITests.idemtop(["purge", deleting, other.token, "--tenant", "1", "--reason", "r",
                                                    "--yes"], env)
        #expect(deleted.code == 0, "\(deleted.stderrText)")
        #expect(deleted.stdoutText.contains(TokenStatus.stuck.purgeConsequence), "\(deleted.stdoutText)")
        #expect(deleted.stdoutText.contains("\npurged 1/key-stuck-0000000006 (saw stuck, version "),
                "\(deleted.stdoutText)")
        #expect(try fx.sql("SELECT count(*) FROM idempotency_keys WHERE idempotency_key = '\(other.token)'").string(0, 0) == "0")
    }

    @Test func stuckPurgeDeleteDeletesAndACompletedKeyIsDeleted() throws {
        let fx = try PGFixture("release_delete", setup: "rocket-setup")
        let stuck = try PostgresReleaseTests.stuckKey(fx, "key-stuck-0000000003")
        try fx.drive([["op": "rocket-request", "user": 1, "key": "key-done-00000000004"]])
        let done = TokenKey(tenant: "1", token: "key-done-00000000004")
        let audit = NSTemporaryDirectory() + "pg-release-\(UUID().uuidString).jsonl"
        let options = PostgresReleaseTests.options + "&audit=\(audit)&stuck_purge=delete"
        let reader = try fx.reader(options)
        var ledger = Ledger()
        try load(reader, into: &ledger)
        let admin = try PostgresAdmin(location: try fx.location(options))
        let now = Instant(Date())
        for key in [stuck, done] {
            guard case .purged(let e) = try admin.purge(key, expect: PurgeExpectation(record: try #require(ledger.record(key)), at: now),
                                                         actor: "t@h", reason: "r") else {
                Issue.record("\(key) was refused"); continue
            }
            #expect(e.reason == "r")
        }
        #expect(try fx.sql("SELECT count(*) FROM idempotency_keys").string(0, 0) == "0")
        #expect(throws: (any Error).self) {
            try PostgresConfig(url: "postgres://u@h/db?table=t&preset=idempotence4j&stuck_purge=release")
        }
        #expect(try PostgresConfig(url: "postgres://u@h/db?table=t&preset=medusa").stuckPurge == .delete)
        #expect(try PostgresConfig(url: "postgres://u@h/db?table=t").stuckPurge == .release)
    }
}
