import Foundation
import Testing
@testable import IdemCore

@Suite struct DetectorDoubleChargeTests {
    static let window: Int64 = 10 * 60_000

    func doubleCharges(_ events: [StoreEvent], config: DetectorConfig = .standard) -> [Finding] {
        Fx.of(.doubleChargeSuspect, Fx.findings(events, config: config))
    }

    @Test func samePayloadUnderTwoTokensIsASuspect() throws {
        let found = doubleCharges([
            Fx.request(.executed, token: "tok-a-0001-uuid-like", at: 0),
            Fx.completed(token: "tok-a-0001-uuid-like", at: 200),
            Fx.request(.executed, token: "tok-b-0002-uuid-like", at: 30_000),
        ])
        let f = try #require(found.first)
        #expect(found.count == 1)
        #expect(f.severity == .high)
        #expect(f.tenant == "acme")
        #expect(f.operation == Fx.orders)
        #expect(f.tokens == ["tok-a-0001-uuid-like", "tok-b-0002-uuid-like"])
        #expect(f.firstSeen == Fx.t0)
        #expect(f.lastSeen == Fx.t0 + .seconds(30))
        #expect(f.count == 2)
        #expect(f.evidence.contains("tok-a-0001-uuid-like at 2026-11-29T00:00:00.000Z"))
        #expect(f.evidence.contains("tok-b-0002-uuid-like at 2026-11-29T00:00:30.000Z"))
    }

    @Test(arguments: [(Self.window - 1, true), (Self.window, true), (Self.window + 1, false)])
    func windowEdgeIsInclusive(gap: Int64, found: Bool) {
        let events = [Fx.request(.executed, token: "a", at: 0), Fx.request(.executed, token: "b", at: gap)]
        #expect(doubleCharges(events).count == (found ? 1 : 0))
    }

    @Test func chargeOperationIsCritical() {
        let events = [Fx.request(.executed, token: "a", at: 0, operation: Fx.charges),
                      Fx.request(.executed, token: "b", at: 1000, operation: Fx.charges)]
        #expect(doubleCharges(events).map(\.severity) == [.critical])
    }

    @Test func threeTokensAreCritical() throws {
        let events = [Fx.request(.executed, token: "a", at: 0), Fx.request(.executed, token: "b", at: 1000),
                      Fx.request(.executed, token: "c", at: 2000)]
        let f = try #require(doubleCharges(events).first)
        #expect(f.severity == .critical)
        #expect(f.tokens == ["a", "b", "c"])
        #expect(f.count == 3)
    }

    @Test func aChainOfExecutionsEachWithinTheWindowIsOneIncident() {
        // a..e every 8 minutes: each within 10 minutes of the previous one.
        let events = (0..<5).map { Fx.request(.executed, token: "t\($0)", at: Int64($0) * 8 * 60_000) }
        let found = doubleCharges(events)
        #expect(found.count == 1)
        #expect(found.first?.tokens == ["t0", "t1", "t2", "t3", "t4"])
    }

    @Test func twoBurstsApartAreTwoFindings() {
        let events = [Fx.request(.executed, token: "a", at: 0), Fx.request(.executed, token: "b", at: 60_000),
                      Fx.request(.executed, token: "c", at: 3_600_000), Fx.request(.executed, token: "d", at: 3_660_000)]
        let found = doubleCharges(events)
        #expect(found.map(\.tokens) == [["a", "b"], ["c", "d"]])
    }

    @Test func otherPayloadTenantOrOperationIsNotASuspect() {
        #expect(doubleCharges([Fx.request(.executed, token: "a", at: 0),
                               Fx.request(.executed, token: "b", at: 1, fingerprint: Fx.payloadB)]).isEmpty)
        #expect(doubleCharges([Fx.request(.executed, token: "a", at: 0),
                               Fx.request(.executed, token: "b", at: 1, tenant: "other")]).isEmpty)
        #expect(doubleCharges([Fx.request(.executed, token: "a", at: 0),
                               Fx.request(.executed, token: "b", at: 1, operation: Fx.charges)]).isEmpty)
    }

    @Test func retriesWithTheSameTokenAreNotASuspect() {
        let events = [Fx.request(.executed, token: "a", at: 0), Fx.completed(token: "a", at: 100),
                      Fx.request(.replayed, token: "a", at: 1000), Fx.request(.replayed, token: "a", at: 2000),
                      Fx.request(.reexecuted, token: "a", at: 3000)]
        #expect(doubleCharges(events).isEmpty)
    }

    @Test func reexecutionUnderAnotherTokenCounts() {
        let events = [Fx.request(.reexecuted, token: "a", at: 0), Fx.request(.executed, token: "b", at: 1000)]
        #expect(doubleCharges(events).count == 1)
    }

    @Test func theStoreProducesItWhenAClientMakesAFreshTokenOnRetry() throws {
        let h = StoreHarness()
        let body = #"{"amount":4200,"customer":"cus_9"}"#
        #expect(try h.send(token: "1f0e9c3a-7d3b-4c55-9e0a-6b2f1d8c4a71", operation: Fx.charges, body: body) == .executed)
        h.advance(.seconds(20))
        #expect(try h.send(token: "5c2b8e17-0a94-4f6d-b3c1-9d7e2f4a8b06", operation: Fx.charges, body: body) == .executed)
        let found = Fx.of(.doubleChargeSuspect, h.findings())
        #expect(found.map(\.severity) == [.critical])
    }

    @Test func stateStaysBoundedOnALongStream() throws {
        var d = FindingsDetector()
        // 20,000 executions of distinct payloads, one every 3 seconds (about 17 hours).
        for i in 0..<20_000 {
            d.observe(Fx.request(.executed, token: "tok-\(i)", at: Int64(i) * 3000, fingerprint: Fx.fp("{\"n\":\(i)}")))
        }
        // At most two windows' worth of executions (400) are held.
        let doubleCharges = try #require(d.detector(DoubleChargeTracker.self))
        #expect(doubleCharges.liveSlots <= 2 * 200 + 1)
        #expect(doubleCharges.closed.isEmpty)
    }
}
