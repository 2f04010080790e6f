import Foundation
import IdemCore
import IdemStore
import Testing

/// The compare-and-set purge and the replay audit record, on both stores through the same `TokenAdmin` API.
@Suite struct PurgeTests {
    static let kinds: [String] = [JournalDriver.kind, SQLiteDriver.kind]
    static let op = "POST /v1/charges"
    static let fp = Fingerprint.of(method: "POST", path: "/v1/charges", body: #"{"amount":100}"#)
    static let request = StoredRequest(method: "POST", path: "/v1/charges", body: #"{"amount":100}"#)

    /// A fresh store of `kind` with a writer on a manual clock.
    struct Fixture {
        let dir: TempDir
        let location: StoreLocation
        let clock = ManualClock(J.t0)
        let writer: any TokenWriter & TokenAdmin

        init(_ kind: String) throws {
            dir = try TempDir()
            location = StoreLocation(kind: kind, path: dir.file(kind == JournalDriver.kind ? "s.jsonl" : "s.db"))
            _ = try StoreRegistry.files.writer(location, policy: .standard, clock: clock, create: true)
            let admin = try StoreRegistry.files.admin(location, clock: clock)
            guard let both = admin as? any TokenWriter & TokenAdmin else {
                throw StoreError.usage("the \(kind) admin is not a writer")
            }
            writer = both
        }

        /// The store's fold as a fresh reader sees it.
        func ledger() throws -> Ledger {
            let reader = try StoreRegistry.files.reader(location)
            var ledger = Ledger()
            while try reader.poll(limit: 10_000, { ledger.apply($0) }, malformed: { _ in }) > 0 {}
            return ledger
        }

        /// Everything the store holds on `key`, read by a fresh reader that has loaded the store.
        func timeline(_ key: TokenKey) throws -> [StoreEvent] {
            let reader = try StoreRegistry.files.reader(location)
            while try reader.poll(limit: 10_000, { _ in }, malformed: { _ in }) > 0 {}
            return try reader.detail(for: key).timeline
        }

        func begin(_ token: String) throws -> BeginResult {
            try writer.begin(tenant: "acme", token: token, operation: PurgeTests.op, fingerprint: PurgeTests.fp,
                             request: PurgeTests.request)
        }

        func expectation(_ token: String) throws -> PurgeExpectation {
            let r = try #require(try ledger().record(TokenKey(tenant: "acme", token: token)))
            return PurgeExpectation(record: r, at: clock.now())
        }
    }

    static let key = TokenKey(tenant: "acme", token: "t1")

    @Test(arguments: kinds)
    func purgeGoesThroughOnWhatTheOperatorSaw(_ kind: String) throws {
        let f = try Fixture(kind)
        guard case .execute(let ticket, _) = try f.begin("t1") else { Issue.record("not executed"); return }
        try f.writer.complete(ticket, response: StoredResponse(status: 201, body: "{}"))
        let saw = try f.expectation("t1")
        #expect(saw.status == .completed)
        let outcome = try f.writer.purge(Self.key, expect: saw, actor: "ana@box", reason: "customer asked")
        guard case .purged(let event) = outcome else { Issue.record("refused: \(outcome)"); return }
        #expect(event.kind == .purge && event.actor == "ana@box" && event.reason == "customer asked")
        #expect(event.sawStatus == .completed && event.sawVersion == saw.version)

        let ledger = try f.ledger()
        let r = try #require(ledger.record(Self.key))
        #expect(r.stored == .purged && r.adminEvents == 1 && Int(r.version) == saw.version + 1)
        let purge = try #require(try f.timeline(Self.key).last)
        #expect(purge.kind == .purge && purge.actor == "ana@box" && purge.sawVersion == saw.version)
    }

    @Test(arguments: kinds)
    func aChangeSinceTheOperatorLookedRefusesAndWritesNothing(_ kind: String) throws {
        let f = try Fixture(kind)
        guard case .execute(let ticket, _) = try f.begin("t1") else { Issue.record("not executed"); return }
        f.clock.advance(.minutes(5))
        let saw = try f.expectation("t1")
        #expect(saw.status == .stuck)
        // The live service completes it meanwhile.
        try f.writer.complete(ticket, response: StoredResponse(status: 201, body: "{}"))
        let before = try SQLiteTestSupport.Snapshot(f.location.path)
        let outcome = try f.writer.purge(Self.key, expect: saw, actor: "ana@box", reason: "stuck")
        guard case .refused(let why) = outcome else { Issue.record("purged a record it never saw"); return }
        #expect(why.contains("changed since you looked") && why.contains("completed"), "\(why)")
        #expect(try SQLiteTestSupport.Snapshot(f.location.path).bytes == before.bytes)
        #expect(try f.ledger().record(Self.key)?.stored == .completed)
    }

    @Test(arguments: kinds)
    func aSecondPurgeOrAnUnknownTokenIsRefused(_ kind: String) throws {
        let f = try Fixture(kind)
        _ = try f.begin("t1")
        let saw = try f.expectation("t1")
        guard case .purged = try f.writer.purge(Self.key, expect: saw, actor: "a@b", reason: "r") else {
            Issue.record("first purge refused"); return
        }
        guard case .refused(let why) = try f.writer.purge(Self.key, expect: saw, actor: "a@b", reason: "r") else {
            Issue.record("purged twice"); return
        }
        #expect(why.contains("purged"), "\(why)")
        let again = try f.expectation("t1")
        guard case .refused(let why2) = try f.writer.purge(Self.key, expect: again, actor: "a@b", reason: "r") else {
            Issue.record("purged an already purged token"); return
        }
        #expect(why2.contains("already purged"), "\(why2)")
        let other = TokenKey(tenant: "acme", token: "nope")
        guard case .refused(let why3) = try f.writer.purge(other, expect: saw, actor: "a@b", reason: "r") else {
            Issue.record("purged a token the store lacks"); return
        }
        #expect(why3.contains("no such token"))
    }

    @Test(arguments: kinds)
    func afterAPurgeTheSameTokenExecutesOnceAnew(_ kind: String) throws {
        let f = try Fixture(kind)
        guard case .execute(let first, _) = try f.begin("t1") else { Issue.record("not executed"); return }
        let saw = try f.expectation("t1")
        guard case .purged = try f.writer.purge(Self.key, expect: saw, actor: "a@b", reason: "stuck") else {
            Issue.record("refused"); return
        }
        // The old execution can no longer complete onto the purged record.
        #expect(throws: StoreError.superseded(Self.key)) {
            try f.writer.complete(first, response: StoredResponse(status: 201))
        }
        guard case .execute(let second, let re) = try f.begin("t1") else { Issue.record("not executed anew"); return }
        #expect(!re && second.execution == first.execution + 1)
        #expect(try f.begin("t1") == .conflict, "the fresh execution holds the token: a duplicate executes nothing")
        try f.writer.complete(second, response: StoredResponse(status: 201, body: #"{"id":"ch_2"}"#))
        #expect(try f.begin("t1").outcome == .replayed)
        let r = try #require(try f.ledger().record(Self.key))
        #expect(r.stored == .completed && r.executions == 2)
    }

    @Test(arguments: kinds)
    func aReplayIsRecordedWithoutChangingTheToken(_ kind: String) throws {
        let f = try Fixture(kind)
        _ = try f.begin("t1")
        let before = try #require(try f.ledger().record(Self.key))
        let event = StoreEvent(kind: .replay, at: f.clock.now(), tenant: "acme", token: "t1", actor: "a@b",
                               reason: "check", target: "http://127.0.0.1:1", resultStatus: 201)
        try f.writer.recordReplay(event)
        let after = try #require(try f.ledger().record(Self.key))
        #expect(after.version == before.version && after.stored == before.stored && after.adminEvents == 1)
        let last = try #require(try f.timeline(Self.key).last)
        #expect(last.kind == .replay && last.target == "http://127.0.0.1:1" && last.resultStatus == 201)
    }
}

/// Bulk purges under one lock or transaction.
@Suite struct BatchPurgeTests {
    @Test(arguments: PurgeTests.kinds)
    func aBatchChecksEachTokenOnItsOwn(_ kind: String) throws {
        let f = try PurgeTests.Fixture(kind)
        for t in ["a", "b", "c"] { _ = try f.begin(t) }
        let a = try f.expectation("a"), b = try f.expectation("b"), c = try f.expectation("c")
        guard case .execute(let ticket, _) = try f.writer.begin(tenant: "acme", token: "d", operation: PurgeTests.op,
                                                               fingerprint: PurgeTests.fp, request: nil) else {
            Issue.record("d not executed"); return
        }
        let d = try f.expectation("d")
        try f.writer.complete(ticket, response: StoredResponse(status: 201))  // d changed since the operator looked
        let key = { (t: String) in TokenKey(tenant: "acme", token: t) }
        func target(_ token: String, _ expect: PurgeExpectation) -> PurgeTarget {
            PurgeTarget(key: key(token), operation: "", expect: expect, age: TimeSpan(ms: 0), hits: 0)
        }
        let batch = [target("a", a), target("b", b), target("d", d), target("a", a), target("c", c)]
        let batching = try #require(f.writer as? any BatchPurging)
        let outcomes = try batching.purge(batch: batch, actor: "ops@box", reason: "bulk")
        let granted = outcomes.map { if case .purged = $0 { return true } else { return false } }
        #expect(granted == [true, true, false, false, true])
        let ledger = try f.ledger()
        #expect(["a", "b", "c"].allSatisfy { ledger.record(key($0))?.stored == .purged })
        #expect(ledger.record(key("d"))?.stored == .completed)
        #expect(ledger.counts[.purge] == 3)
    }
}
