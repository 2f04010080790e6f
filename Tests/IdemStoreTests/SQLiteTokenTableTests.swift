import Foundation
import Testing
import IdemCore
import IdemFakes
@testable import IdemSimulator
@testable import IdemStore

/// The token table read from `idem_tokens` (schema version 2) against the fold of every event of the same store:
/// the same records, counts and newest time, or nil where only the fold can answer; and the version 1 file that
/// gets its counters on its first write, never on a read.
@Suite struct SQLiteTokenTableTests {
    typealias T = SQLiteTestSupport

    /// Every record as text, its ids replaced by the strings they stand for, by key: two ledgers compare equal
    /// whatever order their records and string tables are in.
    static func described(_ l: Ledger) -> [TokenKey: String] {
        var out: [TokenKey: String] = [:]
        for r in l.records {
            out[l.key(of: r)] = [l.operation(of: r), r.fingerprint.description, r.stored.rawValue,
                                 "\(r.createdAt.ms)", "\(r.updatedAt.ms)", "\(r.expiresAt.ms)", "\(r.lockedUntil.ms)",
                                 "\(r.lastSeen.ms)", "v\(r.version)", "x\(r.executions)", "h\(r.hits)",
                                 "m\(r.mismatches)", "c\(r.conflicts)", "r\(r.reexecutions)", "a\(r.adminEvents)",
                                 "s\(r.responseStatus)", "q\(r.requestRef)", "p\(r.responseRef)"].joined(separator: "|")
        }
        return out
    }

    /// The simulated store (retries, mismatches, conflicts, reexecutions, stuck tokens, two purges) plus an admin
    /// replay and a failure.
    static func store(_ dir: TempDir) throws -> String {
        let path = try SQLiteSummaryTests.simulatedStore(dir)
        let writer = try SQLiteWriter(path: path, clock: ManualClock(SQLiteSummaryTests.start + .hours(50)), create: false)
        let (events, _) = try T.allEvents(path)
        let first = try #require(events.first)
        try writer.recordReplay(StoreEvent(kind: .replay, at: SQLiteSummaryTests.start + .hours(50), tenant: first.tenant,
                                           token: first.token, actor: "ops@host", reason: "test",
                                           target: "http://127.0.0.1:1", resultStatus: 201))
        return path
    }

    static func expectSame(_ table: Ledger, _ fold: Ledger) {
        #expect(table.count == fold.count)
        #expect(table.counts == fold.counts)
        #expect(table.lastEventAt == fold.lastEventAt)
        #expect(table.malformedCount == 0 && fold.malformedCount == 0)
        #expect(Set(table.tenants.strings) == Set(fold.tenants.strings))
        let a = described(table), b = described(fold)
        #expect(a == b)
        for (k, v) in b where a[k] != v { Issue.record("\(k): table \(a[k] ?? "none"), fold \(v)"); break }
    }

    @Test(arguments: [SQLiteSummary.splitAbove, 100])
    func theTableIsTheFold(splitAbove: Int64) throws {
        let dir = try TempDir()
        let path = try Self.store(dir)
        let table = try #require(try SQLiteTokenTable.read(path: path, until: nil, policy: .standard,
                                                           splitAbove: splitAbove))
        let (fold, _) = try SQLiteSummaryTests.fold(path, now: SQLiteSummaryTests.start)
        // What the store holds, so the comparison covers it.
        for o in Outcome.allCases { #expect(fold.counts[o] > 0, "no \(o) in the store") }
        #expect(fold.counts[EventKind.purge] == 2 && fold.counts[EventKind.replay] == 1 && fold.counts[EventKind.failed] > 0)
        Self.expectSame(table.ledger, fold)
        #expect(table.lastSeq == (try T.allEvents(path)).events.last?.seq)
        // And so is every listing made from it, at instants where tokens have expired and locks run out.
        let last = try #require(fold.lastEventAt)
        for now in [last, last + .minutes(5), last + .hours(30)] {
            for sort in [TokenListingOrder.hits, .mismatches, .conflicts, .lastSeen, .status] {
                let keys = { (l: Ledger) in sort.sorted(l, now: now).map { l.key(of: $0) } }
                #expect(keys(table.ledger) == keys(fold))
            }
        }
    }

    /// Rowids as another writer may leave them: sparse (the halves split by rowid, the buffer has room to spare),
    /// below 1 (one connection reads every row), and rows of one tenant in both halves (their string tables joined).
    @Test(arguments: [
        "UPDATE idem_tokens SET rowid = rowid * 7 + 1000000",
        "UPDATE idem_tokens SET rowid = -rowid WHERE rowid % 2 = 0",
        "UPDATE idem_tokens SET rowid = 3 * 16777216 + rowid WHERE rowid = (SELECT max(rowid) FROM idem_tokens)",
    ])
    func rowidsAnyWriterMayLeaveGiveTheFold(change: String) throws {
        let dir = try TempDir()
        let path = try Self.store(dir)
        let db = try SQLiteConnection(path: path, access: .readWrite)
        try db.execute(change)
        let (fold, _) = try SQLiteSummaryTests.fold(path, now: SQLiteSummaryTests.start)
        for split in [SQLiteSummary.splitAbove, 100] {
            let table = try #require(try SQLiteTokenTable.read(path: path, until: nil, policy: .standard,
                                                               splitAbove: split), "\(change)")
            Self.expectSame(table.ledger, fold)
            #expect(table.ledger.record(table.ledger.key(of: table.ledger.records[table.ledger.count - 1])) != nil)
        }
    }

    @Test func anEventAfterTheInstantAskedForLeavesItToTheFold() throws {
        let dir = try TempDir()
        let path = try Self.store(dir)
        let (fold, _) = try SQLiteSummaryTests.fold(path, now: SQLiteSummaryTests.start)
        let last = try #require(fold.lastEventAt)
        #expect(try SQLiteTokenTable.read(path: path, until: last - .seconds(1), policy: .standard) == nil)
        #expect(try SQLiteTokenTable.read(path: path, until: last, policy: .standard) != nil)
    }

    @Test(arguments: [
        "UPDATE idem_events SET kind = 'requset' WHERE seq = 3",
        "UPDATE idem_events SET at = 'soon' WHERE seq = 3",
        "UPDATE idem_events SET response_status = 'ok' WHERE seq = (SELECT min(seq) FROM idem_events WHERE kind = 'completed')",
        // Well formed rows, but the token rows no longer add up to them (a writer that did not keep the counters).
        "UPDATE idem_events SET outcome = 'mismatch' WHERE seq = (SELECT min(seq) FROM idem_events WHERE outcome = 'replayed')",
        "UPDATE idem_tokens SET hits = hits + 1 WHERE rowid = 1",
        "INSERT INTO idem_events (at, kind, tenant, token, outcome) VALUES (1, 'request', 'x', 'y', 'replayed')",
        // A row that cannot be a record, in the first half of the rowids and in the second (the other connection's).
        "UPDATE idem_tokens SET version = 'many' WHERE rowid = 1",
        "UPDATE idem_tokens SET hits = 'lots' WHERE rowid = (SELECT max(rowid) FROM idem_tokens)",
    ])
    func aRowTheTableCannotVouchForLeavesItToTheFold(damage: String) throws {
        let dir = try TempDir()
        let path = try Self.store(dir)
        #expect(try SQLiteTokenTable.read(path: path, until: nil, policy: .standard) != nil)
        let db = try SQLiteConnection(path: path, access: .readWrite)
        try db.execute(damage)
        #expect(try SQLiteTokenTable.read(path: path, until: nil, policy: .standard) == nil, "\(damage)")
        #expect(try SQLiteTokenTable.read(path: path, until: nil, policy: .standard, splitAbove: 100) == nil, "\(damage)")
    }

    /// A version 1 store: the version 2 columns dropped and the version set back, as a file from before them.
    static func downgrade(_ path: String) throws {
        let db = try SQLiteConnection(path: path, access: .readWrite)
        for column in SQLiteSchema.counterColumns {
            try db.execute("ALTER TABLE idem_tokens DROP COLUMN \(column.split(separator: " ")[0])")
        }
        try db.execute("UPDATE idem_meta SET value = '1' WHERE key = 'schema_version'")
        try db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    }

    static func schemaVersion(_ path: String) throws -> String? {
        let db = try SQLiteConnection(path: path, access: .readOnly)
        let s = try db.prepare("SELECT value FROM idem_meta WHERE key = 'schema_version'")
        return try s.step() ? s.text(0) : nil
    }

    @Test func aVersion1StoreIsReadAsItIsAndMigratedOnItsFirstWrite() throws {
        let dir = try TempDir()
        let path = try Self.store(dir)
        try Self.downgrade(path)
        let before = try T.Snapshot(path)
        // Read: no counters, so the fold answers; the summary still comes from SQL; nothing is written.
        #expect(try SQLiteTokenTable.read(path: path, until: nil, policy: .standard) == nil)
        let (fold, _) = try SQLiteSummaryTests.fold(path, now: SQLiteSummaryTests.start)
        #expect(try SQLiteSummary.read(path: path, now: SQLiteSummaryTests.start + .hours(100), policy: .standard)?
            .counts == fold.counts)
        #expect(try T.Snapshot(path) == before)
        #expect(try Self.schemaVersion(path) == "1")
        // The first write moves it to version 2 and fills the counters from the events: the fold's values.
        let writer = try SQLiteWriter(path: path, clock: ManualClock(SQLiteSummaryTests.start + .hours(60)), create: false)
        #expect(try Self.schemaVersion(path) == "2")
        var table = try #require(try SQLiteTokenTable.read(path: path, until: nil, policy: .standard))
        Self.expectSame(table.ledger, fold)
        // And the writer keeps them from then on.
        let (request, fp) = T.charge(12)
        _ = try writer.begin(tenant: "acme", token: "after-migration", operation: "POST /v1/charges", fingerprint: fp,
                             request: request)
        _ = try writer.begin(tenant: "acme", token: "after-migration", operation: "POST /v1/charges", fingerprint: fp,
                             request: request)
        table = try #require(try SQLiteTokenTable.read(path: path, until: nil, policy: .standard))
        let (after, _) = try SQLiteSummaryTests.fold(path, now: SQLiteSummaryTests.start)
        Self.expectSame(table.ledger, after)
        #expect(table.ledger.record(TokenKey(tenant: "acme", token: "after-migration"))?.conflicts == 1)
    }

    @Test func aReaderPlacedAfterTheTableReadsOnlyWhatFollows() throws {
        let dir = try TempDir()
        let path = try Self.store(dir)
        let table = try #require(try SQLiteTokenTable.read(path: path, until: nil, policy: .standard))
        let reader = try SQLiteReader(path: path, mode: .readOnly)
        reader.skip(to: table.lastSeq)
        var ledger = table.ledger
        #expect(try reader.poll(limit: 100, { ledger.apply($0) }, malformed: { _ in }) == 0)
        let writer = try SQLiteWriter(path: path, clock: ManualClock(SQLiteSummaryTests.start + .hours(70)), create: false)
        let (request, fp) = T.charge(7)
        let begun = try writer.begin(tenant: "acme", token: "late", operation: "POST /v1/charges", fingerprint: fp,
                                     request: request)
        if case .execute(let ticket, _) = begun { try writer.complete(ticket, response: StoredResponse(status: 201)) }
        var read = 0
        while try reader.poll(limit: 100, { ledger.apply($0); read += 1 }, malformed: { _ in }) > 0 {}
        #expect(read == 2)
        let (fold, _) = try SQLiteSummaryTests.fold(path, now: SQLiteSummaryTests.start)
        Self.expectSame(ledger, fold)
    }
}

/// The sorts `list` offers, over a ledger's records (ties by tenant and token), for comparing two ledgers' orders.
enum TokenListingOrder {
    case hits, mismatches, conflicts, lastSeen, status

    func sorted(_ l: Ledger, now: Instant) -> [TokenRecord] {
        func key(_ r: TokenRecord) -> Int64 {
            switch self {
            case .hits: return Int64(r.hits)
            case .mismatches: return Int64(r.mismatches)
            case .conflicts: return Int64(r.conflicts)
            case .lastSeen: return r.lastSeen.ms
            case .status: return Int64(TokenStatus.allCases.firstIndex(of: r.status(at: now)) ?? 0)
            }
        }
        return l.records.sorted { a, b in
            let ka = key(a), kb = key(b)
            if ka != kb { return ka > kb }
            return (l.tenant(of: a), a.token) < (l.tenant(of: b), b.token)
        }
    }
}
