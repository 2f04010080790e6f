import Testing
import IdemCore
import IdemFakes

@Suite struct LedgerTests {
    let t0 = Instant(rfc3339: "2026-11-29T05:00:00Z") ?? Instant(ms: 0)
    let fp = Fingerprint.of(method: "POST", path: "/v1/charges", body: #"{"amount":10}"#)
    let other = Fingerprint.of(method: "POST", path: "/v1/charges", body: #"{"amount":99}"#)

    func request(_ outcome: Outcome, _ at: Instant, token: String = "t1", tenant: String = "acme",
                 fingerprint: Fingerprint? = nil) -> StoreEvent {
        StoreEvent(kind: .request, at: at, tenant: tenant, token: token, operation: "POST /v1/charges",
                   fingerprint: fingerprint ?? fp, outcome: outcome,
                   expiresAt: outcome.executes ? at + .hours(24) : nil,
                   lockedUntil: outcome.executes ? at + .seconds(60) : nil)
    }

    @Test func foldsALifetimeIntoOneRecord() throws {
        var ledger = Ledger()
        ledger.apply(request(.executed, t0))
        ledger.apply(request(.conflict, t0 + .seconds(1)))
        ledger.apply(StoreEvent(kind: .completed, at: t0 + .seconds(2), tenant: "acme", token: "t1", responseStatus: 201))
        ledger.apply(request(.replayed, t0 + .seconds(3)))
        ledger.apply(request(.replayed, t0 + .seconds(4)))
        ledger.apply(request(.mismatch, t0 + .seconds(5), fingerprint: other))
        let r = try #require(ledger.record(TokenKey(tenant: "acme", token: "t1")))
        #expect(ledger.count == 1)
        #expect(r.stored == .completed)
        #expect(r.hits == 2)
        #expect(r.conflicts == 1)
        #expect(r.mismatches == 1)
        #expect(r.fingerprint == fp, "a mismatch never replaces the stored fingerprint")
        #expect(r.responseStatus == 201)
        #expect(r.version == 6)
        #expect(r.executions == 1)
        #expect(r.lastSeen == t0 + .seconds(5))
        #expect(r.createdAt == t0)
        #expect(r.updatedAt == t0 + .seconds(2))
        #expect(ledger.counts[.replayed] == 2)
        #expect(ledger.counts.events == 6)
        #expect(ledger.operation(of: r) == "POST /v1/charges")
    }

    /// A ledger that reserved room (for fewer, as many, or more tokens than come, and again midway) folds the same
    /// records as one that grew as it went, and finds every one.
    @Test func reservingRoomChangesNothingButTheGrowth() throws {
        func fold(reserve: Int?, again: Int? = nil) -> Ledger {
            var ledger = Ledger()
            if let reserve { ledger.reserveCapacity(tokens: reserve) }
            for i in 0..<3_000 {
                if i == 1_500, let again { ledger.reserveCapacity(tokens: again) }
                ledger.apply(request(i % 5 == 0 ? .replayed : .executed, t0 + TimeSpan(ms: Int64(i)),
                                     token: "t\(i % 2_000)", tenant: i % 2 == 0 ? "acme" : "umbrella"))
            }
            return ledger
        }
        let grown = fold(reserve: nil)
        for ledger in [fold(reserve: 10), fold(reserve: 2_000), fold(reserve: 50_000), fold(reserve: 100, again: 40_000)] {
            #expect(ledger.count == grown.count)
            #expect(ledger.counts == grown.counts)
            for r in grown.records {
                let key = grown.key(of: r)
                let found = try #require(ledger.record(key))
                #expect(found.hits == r.hits && found.stored == r.stored && found.createdAt == r.createdAt)
            }
            #expect(ledger.record(TokenKey(tenant: "acme", token: "t1")) == nil, "t1 is umbrella's")
        }
    }

    @Test func tenantsAreSeparateNamespaces() {
        var ledger = Ledger()
        ledger.apply(request(.executed, t0, tenant: "acme"))
        ledger.apply(request(.executed, t0, tenant: "globex"))
        #expect(ledger.count == 2)
        #expect(ledger.indexes(token: "t1").count == 2)
        #expect(ledger.record(TokenKey(tenant: "initech", token: "t1")) == nil)
    }

    @Test func reexecutionStartsANewLifetimeAndKeepsCounts() throws {
        var ledger = Ledger()
        ledger.apply(request(.executed, t0))
        ledger.apply(StoreEvent(kind: .completed, at: t0 + .seconds(1), tenant: "acme", token: "t1", responseStatus: 200))
        ledger.apply(request(.replayed, t0 + .seconds(2)))
        let later = t0 + .hours(25)
        ledger.apply(request(.reexecuted, later))
        let r = try #require(ledger.record(TokenKey(tenant: "acme", token: "t1")))
        #expect(r.stored == .inProgress)
        #expect(r.createdAt == later)
        #expect(r.expiresAt == later + .hours(24))
        #expect(r.executions == 2)
        #expect(r.reexecutions == 1)
        #expect(r.hits == 1)
        #expect(r.responseStatus == 0)
    }

    @Test func purgeMarksTheRecordAndBumpsTheVersion() throws {
        var ledger = Ledger()
        ledger.apply(request(.executed, t0))
        ledger.apply(StoreEvent(kind: .purge, at: t0 + .minutes(5), tenant: "acme", token: "t1", actor: "ops@host",
                                reason: "stuck", sawStatus: .stuck, sawVersion: 1))
        let r = try #require(ledger.record(TokenKey(tenant: "acme", token: "t1")))
        #expect(r.stored == .purged)
        #expect(r.version == 2)
        #expect(r.status(at: t0 + .minutes(6)) == .purged)
    }

    @Test func aJournalCutAtTheFrontStillCountsHits() throws {
        var ledger = Ledger()
        ledger.apply(request(.replayed, t0))
        let r = try #require(ledger.record(TokenKey(tenant: "acme", token: "t1")))
        #expect(r.stored == .completed)
        #expect(r.hits == 1)
    }

    @Test func malformedEntriesAreCountedAndKept() {
        var ledger = Ledger()
        for i in 1...600 { ledger.noteMalformed(MalformedEntry(position: Int64(i), reason: "not JSON")) }
        #expect(ledger.malformedCount == 600)
        #expect(ledger.malformed.count == 500)
        #expect(ledger.malformed.first?.position == 1)
    }
}
