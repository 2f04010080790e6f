import Foundation
import IdemCore
import IdemStore
import IdemTestSupport
import Testing
@testable import IdemPostgres

/// The first read (binary COPY pages fetched on a thread of their own while the reader decodes): a table of many
/// pages and chunks, rows written while it runs, the server ending the connection in the middle of it.
@Suite(.serialized) struct PostgresFirstReadTests {
    static let table = "table=idempotency_keys&preset=rocket-rides"

    /// `n` rocket-rides rows, ids 1...n: every tenth one locked at `ride_created`, the rest finished with 201.
    static func fill(_ fx: PGFixture, _ n: Int) throws {
        _ = try fx.sql("""
            INSERT INTO idempotency_keys (created_at, idempotency_key, locked_at, request_method, request_params,
              request_path, response_code, response_body, recovery_point, user_id)
            SELECT now() - g * interval '1 second', 'key-' || lpad(g::text, 17, '0'),
              CASE WHEN g % 10 = 0 THEN now() END, 'POST', jsonb_build_object('origin_lat', g % 90), '/rides',
              CASE WHEN g % 10 <> 0 THEN 201 END,
              CASE WHEN g % 10 <> 0 THEN '{"message": "ok"}'::jsonb END,
              CASE WHEN g % 10 = 0 THEN 'ride_created' ELSE 'finished' END, 1 + g % 3
            FROM generate_series(1, \(n)) g
            """)
    }

    static func key(_ g: Int) -> TokenKey {
        TokenKey(tenant: "\(1 + g % 3)", token: "key-" + String(repeating: "0", count: 17 - "\(g)".count) + "\(g)")
    }

    @Test func aTableOfManyPagesAndChunksIsReadWholeWithExactTimesAndFingerprints() throws {
        let fx = try PGFixture("first_many", setup: "rocket-setup")
        try PostgresFirstReadTests.fill(fx, 25_000)
        // Times before 1970 and at a millisecond's edge, read exactly (rounded down, as date_part's floor was).
        _ = try fx.sql("UPDATE idempotency_keys SET created_at = '1969-12-31 23:59:59.9995+00' WHERE id = 7")
        _ = try fx.sql("UPDATE idempotency_keys SET created_at = '2026-01-02 03:04:05.006999+00' WHERE id = 8")
        // Pages of 10,000 rows read in chunks of 4096: several of each, and a last page that is not full.
        let reader = try fx.reader(PostgresFirstReadTests.table)
        var ledger = Ledger()
        try load(reader, into: &ledger)
        #expect(ledger.records.count == 25_000)
        #expect(ledger.malformedCount == 0)
        #expect(reader.progress.done == 25_000)
        let now = Instant(Date())
        var inProgress = 0, completed = 0, expired = 0
        for r in ledger.records {
            switch r.status(at: now) {
            case .inProgress: inProgress += 1
            case .completed: completed += 1
            case .expired: expired += 1
            default: break
            }
        }
        // Rows 7 and 8 were created long ago: past the reaper's 72 h.
        #expect(inProgress == 2_500 && completed == 22_498 && expired == 2, "\(inProgress) \(completed) \(expired)")
        #expect(ledger.record(PostgresFirstReadTests.key(20_000))?.stored == .inProgress)
        #expect(ledger.record(PostgresFirstReadTests.key(24_999))?.responseStatus == 201)
        let created = reader.state.withLock { t in
            [7, 8].map { t.known[PostgresFirstReadTests.key($0)]?.createdMs }
        }
        #expect(created == [-1, 1_767_323_045_006])
        // The fingerprint is Postgres' hash of request_params, the same for equal params and as to_hex prints it.
        let hex = try fx.sql("SELECT to_hex(jsonb_hash_extended(request_params, 0) >> 4) FROM idempotency_keys WHERE id = 5")
        let one = try #require(ledger.record(PostgresFirstReadTests.key(5)))
        #expect(one.fingerprint == Fingerprint(try #require(hex.string(0, 0))))
        #expect(ledger.record(PostgresFirstReadTests.key(95))?.fingerprint == one.fingerprint)
        // The follow decodes the same way: a row written again with the same values is no new execution.
        _ = try fx.sql("UPDATE idempotency_keys SET recovery_point = recovery_point WHERE id IN (7, 8, 5)")
        let k7 = PostgresFirstReadTests.key(7)
        #expect(try follow(reader, &ledger) { _ in reader.looks > 0 })
        #expect(ledger.record(k7)?.executions == 1)
        #expect(ledger.records.count == 25_000)
    }

    @Test func rowsWrittenDuringTheReadAreReadFromItsSnapshotThenFollowed() throws {
        let fx = try PGFixture("first_changing", setup: "rocket-setup")
        try PostgresFirstReadTests.fill(fx, 5_000)
        let reader = try fx.reader(PostgresFirstReadTests.table + "&page=500&poll=50ms")
        var ledger = Ledger()
        // One chunk in: the rest of the table is still to be read (or waiting in the queue).
        _ = try reader.poll(limit: 1, { ledger.apply($0) }, malformed: { ledger.noteMalformed($0) })
        #expect(reader.progress.done < 5_000)
        _ = try fx.sql("UPDATE idempotency_keys SET locked_at = NULL, recovery_point = 'finished', response_code = 201 WHERE id IN (10, 4990)")
        _ = try fx.sql("DELETE FROM idempotency_keys WHERE id = 3001")
        _ = try fx.sql("INSERT INTO idempotency_keys (idempotency_key, request_method, request_params, request_path, "
            + "recovery_point, user_id) VALUES ('key-new-0000000000001', 'POST', '{}', '/rides', 'started', 1)")
        let new = TokenKey(tenant: "1", token: "key-new-0000000000001")
        #expect(try follow(reader, &ledger) { l in
            l.record(PostgresFirstReadTests.key(10))?.stored == .completed
                && l.record(PostgresFirstReadTests.key(4_990))?.stored == .completed
                && l.record(PostgresFirstReadTests.key(3_001))?.stored == .purged
                && l.record(new)?.stored == .inProgress
        })
        #expect(ledger.records.count == 5_001)
        #expect(ledger.record(PostgresFirstReadTests.key(20))?.stored == .inProgress)
        #expect(ledger.record(PostgresFirstReadTests.key(10))?.executions == 1)
    }

    @Test func aConnectionEndedMidReadIsOneLineAndTheNextPollReadsItAll() throws {
        let fx = try PGFixture("first_killed", setup: "rocket-setup")
        try PostgresFirstReadTests.fill(fx, 20_000)
        let reader = try fx.reader(PostgresFirstReadTests.table + "&page=300")
        var ledger = Ledger()
        _ = try reader.poll(limit: 1, { ledger.apply($0) }, malformed: { ledger.noteMalformed($0) })
        let pid = reader.table.connection.backendPID
        #expect(try fx.sql("SELECT pg_terminate_backend(\(pid))").string(0, 0) == "t")
        var failure: String?
        let deadline = Date().addingTimeInterval(60)
        while failure == nil, Date() < deadline {
            do {
                if try reader.poll(limit: 100_000, { ledger.apply($0) }, malformed: { ledger.noteMalformed($0) }) == 0,
                   reader.progress.done >= 20_000 { break }
            } catch {
                failure = "\(error)"
            }
        }
        let message = try #require(failure, "the read went on after its connection was ended")
        #expect(!message.contains("\n"), "\(message)")
        #expect(message.contains("idempotency_keys"), "\(message)")
        // Nothing lost: the next polls reconnect and read the table again from a fresh snapshot.
        try load(reader, into: &ledger)
        #expect(ledger.records.count == 20_000)
        #expect(ledger.malformedCount == 0)
        #expect(ledger.record(PostgresFirstReadTests.key(19_999))?.stored == .completed)
    }

    @Test func aReaderDroppedMidReadEndsItsThreadAndItsConnection() throws {
        let fx = try PGFixture("first_dropped", setup: "rocket-setup")
        try PostgresFirstReadTests.fill(fx, 20_000)
        var reader: PostgresReader? = try fx.reader(PostgresFirstReadTests.table + "&page=300&application_name=dropped")
        var ledger = Ledger()
        _ = try reader?.poll(limit: 1, { ledger.apply($0) }, malformed: { _ in })
        reader = nil
        let deadline = Date().addingTimeInterval(60)
        func sessions() throws -> String? {
            try fx.sql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'dropped'").string(0, 0)
        }
        while try sessions() != "0", Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(try sessions() == "0")
    }
}
