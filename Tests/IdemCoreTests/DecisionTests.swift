import Testing
import IdemCore
import IdemStore
import IdemFakes

/// The writer's rules, driven through the in-memory store so outcome, event and record move together.
@Suite struct DecisionTests {
    let clock = FixedClock("2026-11-29T05:00:00Z")
    let charge = StoredRequest(method: "POST", path: "/v1/charges", body: #"{"amount":10}"#)
    var fp: Fingerprint { Fingerprint.of(method: "POST", path: "/v1/charges", body: charge.body) }

    func store(_ policy: Policy = Policy(retention: .hours(24), lockTimeout: .seconds(30))) -> MemoryStore {
        MemoryStore(policy: policy, clock: clock)
    }

    @Test func firstRequestExecutesAndADuplicateReplaysTheStoredResponse() throws {
        let s = store()
        let first = try s.begin(tenant: "acme", token: "k1", operation: "POST /v1/charges", fingerprint: fp, request: charge)
        guard case .execute(let ticket, reexecuted: false) = first else { Issue.record("\(first)"); return }
        let response = StoredResponse(status: 201, body: #"{"id":"ch_1"}"#)
        try s.complete(ticket, response: response)
        let again = try s.begin(tenant: "acme", token: "k1", operation: "POST /v1/charges", fingerprint: fp, request: charge)
        #expect(again == .replay(response))
    }

    @Test func aConcurrentDuplicateConflictsEvenWhenStuck() throws {
        let s = store()
        _ = try s.begin(tenant: "acme", token: "k1", operation: "POST /v1/charges", fingerprint: fp, request: charge)
        #expect(try s.begin(tenant: "acme", token: "k1", operation: "POST /v1/charges", fingerprint: fp, request: charge) == .conflict)
        clock.advance(.minutes(10))
        #expect(try s.begin(tenant: "acme", token: "k1", operation: "POST /v1/charges", fingerprint: fp, request: charge) == .conflict)
    }

    @Test func anotherPayloadOrOperationIsAMismatchAndNeverExecutes() throws {
        let s = store()
        let t = try s.begin(tenant: "acme", token: "k1", operation: "POST /v1/charges", fingerprint: fp, request: charge)
        guard case .execute(let ticket, _) = t else { Issue.record("\(t)"); return }
        try s.complete(ticket, response: StoredResponse(status: 201))
        let otherBody = Fingerprint.of(method: "POST", path: "/v1/charges", body: #"{"amount":99}"#)
        #expect(try s.begin(tenant: "acme", token: "k1", operation: "POST /v1/charges", fingerprint: otherBody, request: nil)
                == .mismatch(storedOperation: "POST /v1/charges", storedFingerprint: fp))
        #expect(try s.begin(tenant: "acme", token: "k1", operation: "POST /v1/refunds", fingerprint: fp, request: nil)
                == .mismatch(storedOperation: "POST /v1/charges", storedFingerprint: fp))
        let executions = s.allEvents.filter { $0.outcome?.executes == true }.count
        #expect(executions == 1)
        let mismatch = s.allEvents.first { $0.outcome == .mismatch }
        #expect(mismatch?.storedFingerprint == fp)
        #expect(mismatch?.fingerprint == otherBody)
    }

    @Test func afterExpiryTheWorkRunsAgainExactlyAtTheBoundary() throws {
        let s = store()
        let t = try s.begin(tenant: "acme", token: "k1", operation: "POST /v1/charges", fingerprint: fp, request: charge)
        guard case .execute(let ticket, _) = t else { Issue.record("\(t)"); return }
        try s.complete(ticket, response: StoredResponse(status: 201))
        clock.advance(.hours(24) - TimeSpan(ms: 1))
        #expect(try s.begin(tenant: "acme", token: "k1", operation: "POST /v1/charges", fingerprint: fp, request: charge).outcome == .replayed)
        clock.advance(TimeSpan(ms: 1))
        #expect(try s.begin(tenant: "acme", token: "k1", operation: "POST /v1/charges", fingerprint: fp, request: charge).outcome == .reexecuted)
    }

    @Test func aFailedAttemptMayBeRetried() throws {
        let s = store()
        let t = try s.begin(tenant: "acme", token: "k1", operation: "POST /v1/charges", fingerprint: fp, request: charge)
        guard case .execute(let ticket, _) = t else { Issue.record("\(t)"); return }
        try s.fail(ticket, error: "card declined by upstream timeout")
        #expect(try s.begin(tenant: "acme", token: "k1", operation: "POST /v1/charges", fingerprint: fp, request: charge).outcome == .executed)
    }

    @Test func aPurgedTokenExecutesAnewAndTheOldTicketIsSuperseded() throws {
        let s = store()
        let t = try s.begin(tenant: "acme", token: "k1", operation: "POST /v1/charges", fingerprint: fp, request: charge)
        guard case .execute(let old, _) = t else { Issue.record("\(t)"); return }
        s.append(StoreEvent(kind: .purge, at: clock.now(), tenant: "acme", token: "k1", actor: "ops@host", reason: "stuck"))
        let again = try s.begin(tenant: "acme", token: "k1", operation: "POST /v1/charges", fingerprint: fp, request: charge)
        #expect(again.outcome == .executed)
        #expect(throws: StoreError.superseded(TokenKey(tenant: "acme", token: "k1"))) {
            try s.complete(old, response: StoredResponse(status: 201))
        }
    }

    @Test func tokensAreNamespacedPerTenant() throws {
        let s = store()
        #expect(try s.begin(tenant: "acme", token: "k1", operation: "POST /v1/charges", fingerprint: fp, request: charge).outcome == .executed)
        #expect(try s.begin(tenant: "globex", token: "k1", operation: "POST /v1/charges", fingerprint: fp, request: charge).outcome == .executed)
    }
}
