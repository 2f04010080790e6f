import Foundation
import Testing
@testable import IdemCore

@Suite struct DetectorOutcomeTests {
    // MARK: reexecuted_after_expiry

    @Test func aRequestAfterExpiryIsReexecutedAndFound() throws {
        let h = StoreHarness()
        try h.send(token: "9b2c4d6e-8f01-4a23-b456-c789d0e1f234", body: "{\"n\":1}")
        h.advance(.hours(24))
        #expect(try h.send(token: "9b2c4d6e-8f01-4a23-b456-c789d0e1f234", body: "{\"n\":1}") == .reexecuted)
        let found = Fx.of(.reexecutedAfterExpiry, h.findings())
        let f = try #require(found.first)
        #expect(found.count == 1)
        #expect(f.severity == .high)
        #expect(f.tokens == ["9b2c4d6e-8f01-4a23-b456-c789d0e1f234"])
        #expect(f.firstSeen == Fx.t0 + .hours(24))
        #expect(f.operation == Fx.orders)
        #expect(f.evidence.contains("after its token expired"))
    }

    @Test func oneMillisecondBeforeExpiryIsAReplayAndNotFound() throws {
        let h = StoreHarness()
        try h.send(token: "9b2c4d6e-8f01-4a23-b456-c789d0e1f234", body: "{\"n\":1}")
        h.advance(TimeSpan(ms: 24 * 3_600_000 - 1))
        #expect(try h.send(token: "9b2c4d6e-8f01-4a23-b456-c789d0e1f234", body: "{\"n\":1}") == .replayed)
        #expect(Fx.of(.reexecutedAfterExpiry, h.findings()).isEmpty)
    }

    @Test func repeatedReexecutionsOfOneTokenAreOneFinding() {
        let events = [Fx.request(.reexecuted, token: "a", at: 0), Fx.request(.reexecuted, token: "a", at: 5000)]
        let found = Fx.of(.reexecutedAfterExpiry, Fx.findings(events))
        #expect(found.count == 1)
        #expect(found.first?.count == 2)
        #expect(found.first?.lastSeen == Fx.t0 + .seconds(5))
    }

    // MARK: token_reuse

    @Test func anotherPayloadUnderOneTokenIsReuse() throws {
        let h = StoreHarness()
        try h.send(token: "3e5f7a9b-1c2d-4e3f-8a5b-6c7d8e9f0a1b", body: #"{"amount":100}"#)
        h.advance(.seconds(5))
        #expect(try h.send(token: "3e5f7a9b-1c2d-4e3f-8a5b-6c7d8e9f0a1b", body: #"{"amount":999}"#) == .mismatch)
        let found = Fx.of(.tokenReuse, h.findings())
        let f = try #require(found.first)
        #expect(found.count == 1)
        #expect(f.severity == .medium)
        #expect(f.tokens == ["3e5f7a9b-1c2d-4e3f-8a5b-6c7d8e9f0a1b"])
        #expect(f.evidence.contains("payload"))
        #expect(f.evidence.contains("the token holds POST /v1/orders"))
    }

    @Test func anotherOperationUnderOneTokenIsReuseAndNamesIt() throws {
        let h = StoreHarness()
        try h.send(token: "3e5f7a9b-1c2d-4e3f-8a5b-6c7d8e9f0a1b", operation: Fx.charges, body: "{}")
        #expect(try h.send(token: "3e5f7a9b-1c2d-4e3f-8a5b-6c7d8e9f0a1b", operation: "POST /v1/refunds", body: "{}") == .mismatch)
        let f = try #require(Fx.of(.tokenReuse, h.findings()).first)
        #expect(f.evidence.contains("operation POST /v1/refunds"))
        #expect(f.operation == Fx.charges)
    }

    @Test(arguments: [(2, false), (3, true)])
    func aTenantReusingManyTokensGetsATenantFinding(tokens: Int, found: Bool) {
        var events: [StoreEvent] = []
        for i in 0..<tokens {
            events.append(Fx.request(.executed, token: "tok-\(i)-f3a9c1d2e4b5", at: Int64(i) * 1000))
            events.append(Fx.request(.mismatch, token: "tok-\(i)-f3a9c1d2e4b5", at: Int64(i) * 1000 + 500,
                                     fingerprint: Fx.payloadB))
        }
        let reuse = Fx.of(.tokenReuse, Fx.findings(events))
        let perTenant = reuse.filter { $0.severity == .high }
        #expect(reuse.count - perTenant.count == tokens)
        #expect(perTenant.count == (found ? 1 : 0))
        if found {
            #expect(perTenant.first?.tokens.count == tokens)
            #expect(perTenant.first?.count == tokens)
            #expect(perTenant.first?.evidence.contains("\(tokens) tokens reused") == true)
        }
    }
}
