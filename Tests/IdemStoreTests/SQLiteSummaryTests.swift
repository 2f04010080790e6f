import Foundation
import Testing
import IdemCore
import IdemFakes
@testable import IdemSimulator
@testable import IdemStore

/// The summary SQLite computes itself (`SQLiteSummary`, what `stats` prints for a SQLite store) against the fold of
/// every event of the same store: the same figures, or nil where only the fold can answer.
@Suite struct SQLiteSummaryTests {
    static let start = Instant(rfc3339: "2026-11-28T00:00:00Z") ?? Instant(ms: 0)

    /// A simulated store (every scenario the simulator plants: stuck, reexecuted, mismatches, ...) plus two purges.
    static func simulatedStore(_ dir: TempDir) throws -> String {
        let path = dir.file("s.db")
        let clock = ManualClock(start)
        let writer = try SQLiteWriter(path: path, clock: clock, create: true)
        _ = try Simulator(config: .init(seed: 5, events: 6000, start: start), writer: writer, clock: clock).run()
        let (events, _) = try SQLiteTestSupport.allEvents(path)
        var ledger = Ledger()
        events.forEach { ledger.apply($0) }
        for r in ledger.records.prefix(2) {
            let outcome = try writer.purge(ledger.key(of: r), expect: PurgeExpectation(record: r, at: clock.now()),
                                           actor: "ops@host", reason: "test")
            if case .refused(let why) = outcome { Issue.record("purge refused: \(why)") }
        }
        return path
    }

    static func fold(_ path: String, now: Instant) throws -> (Ledger, [TokenStatus: Int]) {
        let (events, malformed) = try SQLiteTestSupport.allEvents(path)
        var ledger = Ledger()
        events.forEach { ledger.apply($0) }
        malformed.forEach { ledger.noteMalformed($0) }
        var statuses: [TokenStatus: Int] = [:]
        for r in ledger.records { statuses[r.status(at: now), default: 0] += 1 }
        return (ledger, statuses)
    }

    @Test func theSummaryIsTheFoldsAtSeveralInstants() throws {
        let dir = try TempDir()
        let path = try SQLiteSummaryTests.simulatedStore(dir)
        let (events, _) = try SQLiteTestSupport.allEvents(path)
        let last = try #require(events.map(\.at).max())
        // At the last event, and later (tokens expire, locks run out: other statuses).
        var seen = Set<TokenStatus>()
        for now in [last, last + .minutes(5), last + .hours(30)] {
            let summary = try #require(try SQLiteSummary.read(path: path, now: now, policy: .standard))
            let (ledger, statuses) = try SQLiteSummaryTests.fold(path, now: now)
            #expect(summary.counts == ledger.counts)
            #expect(summary.statuses == statuses)
            #expect(summary.tokens == ledger.count)
            #expect(summary.tenants == ledger.tenants.count)
            #expect(summary.lastEventAt == ledger.lastEventAt)
            seen.formUnion(statuses.keys)
        }
        #expect(seen.count >= 4, "statuses seen: \(seen)")
        #expect(try SQLiteSummary.read(path: path, now: .init(ms: 0), policy: .standard)?.statuses[.purged] == nil)
    }

    @Test func beforeTheNewestEventOnlyTheFoldAnswers() throws {
        let dir = try TempDir()
        let path = try SQLiteSummaryTests.simulatedStore(dir)
        let (events, _) = try SQLiteTestSupport.allEvents(path)
        let last = try #require(events.map(\.at).max())
        #expect(try SQLiteSummary.read(path: path, now: last - .seconds(1), policy: .standard) == nil)
    }

    @Test(arguments: [
        "UPDATE idem_events SET at = 'soon' WHERE seq = 3",
        "UPDATE idem_events SET kind = 'requset' WHERE seq = 3",
        "UPDATE idem_events SET outcome = NULL WHERE seq = (SELECT min(seq) FROM idem_events WHERE kind = 'request')",
        "UPDATE idem_events SET outcome = 'exectued' WHERE seq = 3",
        "UPDATE idem_events SET response_status = 'ok' WHERE seq = (SELECT min(seq) FROM idem_events WHERE kind = 'completed')",
        "UPDATE idem_events SET saw_status = 'gone' WHERE kind = 'purge'",
        "UPDATE idem_events SET saw_version = 99999999999 WHERE kind = 'purge'",
        "UPDATE idem_events SET locked_until = 1.5 WHERE seq = 3",
        "UPDATE idem_events SET expires_at = 'tomorrow' WHERE seq = 3",
        "UPDATE idem_events SET at = 1.5 WHERE seq = 4",
        "UPDATE idem_events SET result_status = -9223372036854775808 WHERE seq = 5",
        "UPDATE idem_events SET response_status = x'00' WHERE seq = 5",
        "UPDATE idem_events SET outcome = 'exectued' WHERE seq = (SELECT min(seq) FROM idem_events WHERE kind <> 'request')",
    ])
    func aMalformedRowLeavesTheSummaryToTheFold(damage: String) throws {
        let dir = try TempDir()
        let path = try SQLiteSummaryTests.simulatedStore(dir)
        let db = try SQLiteConnection(path: path, access: .readWrite)
        try db.execute(damage)
        let (_, malformed) = try SQLiteTestSupport.allEvents(path)
        #expect(malformed.count >= 1, "the reader sees the damage")
        let later = SQLiteSummaryTests.start + .hours(100)
        #expect(try SQLiteSummary.read(path: path, now: later, policy: .standard) == nil, "\(damage)")
    }

    /// The reader accepts a known outcome on a row that is not a request and the fold does not count it: neither
    /// does the summary.
    @Test func anOutcomeOnANonRequestRowIsNotCounted() throws {
        let dir = try TempDir()
        let path = try SQLiteSummaryTests.simulatedStore(dir)
        let db = try SQLiteConnection(path: path, access: .readWrite)
        try db.execute("UPDATE idem_events SET outcome = 'executed' WHERE kind = 'completed'")
        let (events, malformed) = try SQLiteTestSupport.allEvents(path)
        #expect(malformed.isEmpty)
        let last = try #require(events.map(\.at).max())
        let summary = try #require(try SQLiteSummary.read(path: path, now: last, policy: .standard))
        let (ledger, statuses) = try SQLiteSummaryTests.fold(path, now: last)
        #expect(events.contains { $0.kind == .completed && $0.outcome == .executed })
        #expect(summary.counts == ledger.counts)
        #expect(summary.statuses == statuses)
    }
    /// `idem_statuses` (the C aggregate) against the `GROUP BY` of the CASE it stands for, run by SQLite itself on
    /// the same rows: at several instants, with rows whose expiry or lock is NULL (the policy's deadlines from
    /// `created_at`) and rows with neither time.
    @Test func theStatusAggregateIsTheCaseItStandsFor() throws {
        let dir = try TempDir()
        let path = try SQLiteSummaryTests.simulatedStore(dir)
        let db = try SQLiteConnection(path: path, access: .readWrite)
        try db.execute("UPDATE idem_tokens SET expires_at = NULL WHERE rowid % 3 = 0")
        try db.execute("UPDATE idem_tokens SET locked_until = NULL WHERE rowid % 4 = 0")
        try db.execute("UPDATE idem_tokens SET created_at = NULL, expires_at = NULL WHERE rowid % 29 = 0")
        try db.registerTally()
        let policy = Policy.standard
        let caseSQL = """
            SELECT CASE WHEN status = 'purged' THEN 'purged'
                        WHEN ?1 >= coalesce(expires_at, created_at + ?2) THEN 'expired'
                        WHEN status = 'in_progress' AND ?1 >= coalesce(locked_until, created_at + ?3) THEN 'stuck'
                        ELSE status END, count(*)
            FROM idem_tokens GROUP BY 1
            """
        var seen = Set<TokenStatus>()
        for now in [SQLiteSummaryTests.start, SQLiteSummaryTests.start + .minutes(30),
                    SQLiteSummaryTests.start + .hours(3), SQLiteSummaryTests.start + .hours(40)] {
            var expected: [TokenStatus: Int64] = [:]
            let c = try db.prepare(caseSQL)
            try c.bind(1, now.ms)
            try c.bind(2, policy.retention.ms)
            try c.bind(3, policy.lockTimeout.ms)
            while try c.step() { expected[try #require(TokenStatus(rawValue: c.text(0) ?? ""))] = c.int64(1) }
            let a = try db.prepare(SQLiteSummary.statusSQL)
            try a.bind(1, now.ms)
            try a.bind(2, policy.retention.ms)
            try a.bind(3, policy.lockTimeout.ms)
            #expect(try a.step())
            let fields = try #require(a.int64s(0, count: SQLiteSummary.statusOrder.count + 1))
            var got: [TokenStatus: Int64] = [:]
            for (status, n) in zip(SQLiteSummary.statusOrder, fields) where n > 0 { got[status] = n }
            #expect(got == expected, "at \(now)")
            #expect(fields.last == 0)
            seen.formUnion(got.keys)
        }
        #expect(seen.count >= 5, "statuses seen: \(seen)")
    }

    /// A token row whose expiry, lock or creation time is not an integer leaves the summary to the fold.
    @Test(arguments: [
        "UPDATE idem_tokens SET expires_at = 'tomorrow' WHERE rowid = (SELECT max(rowid) FROM idem_tokens WHERE status <> 'purged')",
        "UPDATE idem_tokens SET expires_at = NULL, created_at = 1.5 WHERE rowid = (SELECT max(rowid) FROM idem_tokens WHERE status <> 'purged')",
        "UPDATE idem_tokens SET locked_until = x'00' WHERE status = 'in_progress'",
    ])
    func aTokenRowWithAStrangeTimeLeavesTheSummaryToTheFold(damage: String) throws {
        let dir = try TempDir()
        let path = try SQLiteSummaryTests.simulatedStore(dir)
        let db = try SQLiteConnection(path: path, access: .readWrite)
        try db.execute("UPDATE idem_tokens SET expires_at = NULL")
        try db.execute(damage)
        let (events, _) = try SQLiteTestSupport.allEvents(path)
        let last = try #require(events.map(\.at).max())
        #expect(try SQLiteSummary.read(path: path, now: last, policy: .standard) == nil, "\(damage)")
    }
}
