import Foundation
import IdemCore
import IdemFakes
import IdemStore
import IdemSimulator
import Testing

/// The writer's outcomes on a real file, and that the token table equals the fold of the event table.
@Suite struct SQLiteWriterTests {
    typealias T = SQLiteTestSupport
    static let op = "POST /v1/charges"

    struct Fixture {
        let path: String
        let clock = FixedClock("2026-11-29T06:00:00Z")
        let writer: SQLiteWriter
        init(_ name: String = #function) throws {
            path = try T.tempDir(name) + "/store.db"
            writer = try SQLiteWriter(path: path, policy: Policy(retention: .hours(24), lockTimeout: .seconds(60)),
                                      clock: clock, create: true)
        }
        func begin(_ token: String, amount: Int = 10, tenant: String = "acme", op: String = SQLiteWriterTests.op)
            throws -> BeginResult {
            let (request, fp) = T.charge(amount)
            return try writer.begin(tenant: tenant, token: token, operation: op, fingerprint: fp, request: request)
        }
    }

    static func ticket(_ r: BeginResult) -> Ticket? {
        if case .execute(let t, _) = r { return t }
        return nil
    }

    @Test func executedConflictReplayedMismatch() throws {
        let f = try Fixture()
        let first = try f.begin("k1")
        let ticket = try #require(Self.ticket(first))
        #expect(first == .execute(Ticket(key: TokenKey(tenant: "acme", token: "k1"), execution: 1), reexecuted: false))
        #expect(try f.begin("k1") == .conflict)
        f.clock.advance(.seconds(1))
        let response = StoredResponse(status: 201, headers: ["Content-Type": "application/json"], body: "{\"id\":\"ch_1\"}")
        try f.writer.complete(ticket, response: response)
        #expect(try f.begin("k1") == .replay(response))
        let (_, storedFP) = T.charge(10)
        #expect(try f.begin("k1", amount: 99) == .mismatch(storedOperation: Self.op, storedFingerprint: storedFP))
        #expect(try f.begin("k1", op: "POST /v1/refunds") == .mismatch(storedOperation: Self.op, storedFingerprint: storedFP))
        // Another tenant's k1 is another token.
        #expect(Self.ticket(try f.begin("k1", tenant: "globex")) != nil)

        let rows = try T.tokenRows(f.path)
        let row = try #require(rows[TokenKey(tenant: "acme", token: "k1")])
        #expect(row.0 == "completed" && row.1 == 6 && row.2 == 1)
        let events = try T.allEvents(f.path).events
        #expect(events.map(\.label) == ["executed", "conflict", "completed", "replayed", "mismatch", "mismatch", "executed"])
        #expect(events.map(\.seq) == Array(1...7))
        #expect(events[4].storedFingerprint == storedFP)
        #expect(events[2].responseStatus == 201)
        #expect(events.allSatisfy { $0.request == nil && $0.response == nil })
    }

    @Test func failedThenRetryExecutesAgain() throws {
        let f = try Fixture()
        let ticket = try #require(Self.ticket(try f.begin("k2")))
        try f.writer.fail(ticket, error: "card declined")
        #expect(throws: StoreError.superseded(ticket.key)) { try f.writer.fail(ticket, error: "again") }
        let retry = try f.begin("k2")
        #expect(retry == .execute(Ticket(key: ticket.key, execution: 2), reexecuted: false))
        let detail = try SQLiteReader(path: f.path).detail(for: ticket.key)
        #expect(detail.timeline.map(\.label) == ["executed", "failed", "executed"])
        #expect(detail.timeline[1].error == "card declined")
        #expect(detail.error == nil)
    }

    @Test func reexecutedAfterExpiryAndTheOldTicketIsSuperseded() throws {
        let f = try Fixture()
        let old = try #require(Self.ticket(try f.begin("k3")))
        f.clock.advance(.hours(24))
        let again = try f.begin("k3")
        #expect(again == .execute(Ticket(key: old.key, execution: 2), reexecuted: true))
        #expect(throws: StoreError.superseded(old.key)) {
            try f.writer.complete(old, response: StoredResponse(status: 200))
        }
        let fresh = try #require(Self.ticket(again))
        try f.writer.complete(fresh, response: StoredResponse(status: 200, body: "second"))
        // A completed token past its expiry runs again too.
        f.clock.advance(.hours(25))
        #expect(try f.begin("k3") == .execute(Ticket(key: old.key, execution: 3), reexecuted: true))
        let detail = try SQLiteReader(path: f.path).detail(for: old.key)
        #expect(detail.timeline.map(\.label) == ["executed", "reexecuted", "completed", "reexecuted"])
        #expect(detail.timeline[2].response?.body == "second")
        #expect(detail.request?.path == "/v1/charges")
        #expect(detail.response == nil)
    }

    @Test func purgeSupersedesTheRunningExecution() throws {
        let f = try Fixture()
        let ticket = try #require(Self.ticket(try f.begin("k4")))
        try f.writer.append(StoreEvent(kind: .purge, at: f.clock.now(), tenant: "acme", token: "k4",
                                       actor: "ana@host", reason: "stuck", sawStatus: .inProgress, sawVersion: 1))
        #expect(throws: StoreError.superseded(ticket.key)) {
            try f.writer.complete(ticket, response: StoredResponse(status: 200))
        }
        #expect(try T.tokenRows(f.path)[ticket.key]?.0 == "purged")
        #expect(try f.begin("k4") == .execute(Ticket(key: ticket.key, execution: 2), reexecuted: false))
        try f.writer.append(StoreEvent(kind: .replay, at: f.clock.now(), tenant: "acme", token: "k4",
                                       actor: "ana@host", reason: "check", target: "http://x", resultStatus: 200))
        let row = try #require(try T.tokenRows(f.path)[ticket.key])
        #expect(row.0 == "in_progress" && row.1 == 3 && row.2 == 2)
        #expect(throws: StoreError.unknownToken(TokenKey(tenant: "acme", token: "nope"))) {
            try f.writer.append(StoreEvent(kind: .purge, at: f.clock.now(), tenant: "acme", token: "nope"))
        }
        #expect(throws: StoreError.self) {
            try f.writer.append(StoreEvent(kind: .completed, at: f.clock.now(), tenant: "acme", token: "k4"))
        }
        #expect(throws: StoreError.unknownToken(TokenKey(tenant: "acme", token: "nope"))) {
            try f.writer.complete(Ticket(key: TokenKey(tenant: "acme", token: "nope"), execution: 1),
                                  response: StoredResponse(status: 200))
        }
    }

    @Test func theTokenTableEqualsTheFoldOfTheEvents() throws {
        let f = try Fixture()
        var rng = SeededRandom(seed: 42)
        var tickets: [Ticket] = []
        for _ in 0..<600 {
            let token = "t\(rng.next() % 40)"
            switch rng.next() % 10 {
            case 0...4:
                if let t = Self.ticket(try f.begin(token, amount: rng.next() % 7 == 0 ? 2 : 1)) { tickets.append(t) }
            case 5, 6:
                if !tickets.isEmpty {
                    let t = tickets.remove(at: Int(rng.next() % UInt64(tickets.count)))
                    try? f.writer.complete(t, response: StoredResponse(status: 200))
                }
            case 7:
                if !tickets.isEmpty { try? f.writer.fail(tickets.removeLast(), error: "boom") }
            case 8:
                try? f.writer.append(StoreEvent(kind: .purge, at: f.clock.now(), tenant: "acme", token: token,
                                                actor: "ops", reason: "test"))
            default:
                f.clock.advance(.hours(Int64(rng.next() % 9)))
            }
            f.clock.advance(.seconds(1))
        }
        var ledger = Ledger(policy: Policy(retention: .hours(24), lockTimeout: .seconds(60)))
        let (events, malformed) = try T.allEvents(f.path)
        #expect(malformed.isEmpty)
        for e in events { ledger.apply(e) }
        let rows = try T.tokenRows(f.path)
        #expect(rows.count == ledger.count)
        for (key, row) in rows {
            let r = try #require(ledger.record(key))
            #expect(r.stored.rawValue == row.0, "\(key)")
            #expect(Int64(r.version) == row.1, "\(key)")
            #expect(Int64(r.executions) == row.2, "\(key)")
        }
        #expect(ledger.counts[.reexecuted] > 0)
        #expect(ledger.counts[.mismatch] > 0)
        #expect(ledger.counts[.purge] > 0)
    }
}
