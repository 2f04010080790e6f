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
}
