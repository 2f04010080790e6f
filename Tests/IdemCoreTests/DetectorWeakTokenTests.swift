import Foundation
import Testing
@testable import IdemCore
import IdemSimulator

@Suite struct DetectorWeakTokenTests {
    @Test(arguments: [
        ("1732860000", TokenWeakness.timestamp), ("1732860000123", .timestamp), ("req1732860000", .timestamp),
        ("req-1732860000", .timestamp), ("order_1732860000123", .timestamp), ("2026-11-29T05:55:54Z", .timestamp),
        ("order-2026-11-29-0042", .timestamp), ("20261129T055554Z", .timestamp), ("acme:2026-11-29", .timestamp),
        ("17", .counter), ("000123", .counter), ("order-17", .counter), ("ORD00017", .counter), ("Order_17", .counter),
        ("acme:order:123456789", .counter), ("retry#3", .counter), ("invoice_000123", .counter),
        ("order-10042", .counter), ("1764374400123", .timestamp),
        ("abc", .short), ("x7Kp2QzR", .short), ("k9XbQ2mTz7LpWc4", .short), ("", .short), ("9999999999", .short), ("12345678901", .short),
        ("aaaaaaaaaaaaaaaa", .lowEntropy), ("testtesttesttest", .lowEntropy),
        ("00000000-0000-0000-0000-000000000001", .lowEntropy), ("abab-abab-abab-abab", .lowEntropy),
    ])
    func classifiesWeakTokens(token: String, weakness: TokenWeakness) {
        #expect(TokenWeakness.classify(token) == weakness)
    }

    @Test(arguments: [
        "0b8f0a2c-1111-4e5f-9a7b-2c3d4e5f6a7b", "F47AC10B-58CC-4372-A567-0E02B2C3D479",
        "payments-fn#5d41402abc4b2a76b9719d911017c592", "ch_3MmlLrLkdIwHu7ix0snN0B15", "k9XbQ2mTz7LpWc4R",
        "order-7f3c9a1e-2b4d-4e6f-8a0b-1c2d3e4f5a6b", "a1b2c3d4e5f60718", "QWERTYZXCVBNMPQRSTVWXYZAB7",
        "01ARZ3NDEKTSV4RRFFQ69G5FAV",
    ])
    func leavesGoodTokensAlone(token: String) {
        #expect(TokenWeakness.classify(token) == nil)
    }

    @Test func noFalsePositivesOnRandomTokens() {
        var rng = SeededRandom(seed: 42)
        let base62 = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        let hex = Array("0123456789abcdef")
        let crockford = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
        var flagged: [String] = []
        for _ in 0..<20_000 {
            let uuid = Fx.uuid(&rng)
            let b62 = String((0..<Int(16 + rng.next() % 12)).map { _ in base62[Int(rng.next() % 62)] })
            let h32 = String((0..<32).map { _ in hex[Int(rng.next() % 16)] })
            let h16 = String((0..<16).map { _ in hex[Int(rng.next() % 16)] })
            let ulid = String((0..<26).map { _ in crockford[Int(rng.next() % 32)] })
            for t in [uuid, uuid.uppercased(), b62, h32, "fn#" + h32, h16, ulid] where TokenWeakness.classify(t) != nil {
                flagged.append(t)
            }
        }
        #expect(flagged.isEmpty, "flagged: \(flagged.prefix(5))")
    }

    @Test func aTenantWithWeakTokensGetsOneFindingWithExamples() throws {
        var events: [StoreEvent] = []
        for i in 0..<8 {
            events.append(Fx.request(.executed, token: "order-\(i + 1)", at: Int64(i) * 1000, tenant: "shop",
                                     fingerprint: Fx.fp("\(i)")))
        }
        events.append(Fx.request(.executed, token: "1732860000", at: 9000, tenant: "shop", fingerprint: Fx.fp("t")))
        events.append(Fx.request(.executed, token: "0b8f0a2c-1111-4e5f-9a7b-2c3d4e5f6a7b", at: 10_000, tenant: "shop",
                                 fingerprint: Fx.fp("u")))
        events.append(Fx.request(.executed, token: "0b8f0a2c-1111-4e5f-9a7b-2c3d4e5f6a7c", at: 11_000, tenant: "good",
                                 fingerprint: Fx.fp("v")))
        let found = Fx.of(.weakToken, Fx.findings(events))
        let f = try #require(found.first)
        #expect(found.count == 1)
        #expect(f.tenant == "shop")
        #expect(f.severity == .medium)
        #expect(f.tokens == ["order-1", "order-2", "order-3", "order-4", "order-5"])
        #expect(f.count == 9)
        #expect(f.firstSeen == Fx.t0)
        #expect(f.lastSeen == Fx.t0 + .seconds(9))
        #expect(f.evidence.contains("9 of 10 tokens"))
        #expect(f.evidence.contains("timestamp: 1 (e.g. 1732860000)"))
        #expect(f.evidence.contains("counter: 8 (e.g. order-1)"))
    }

    @Test func onlyShortTokensAreLow() {
        let events = [Fx.request(.executed, token: "x7Kp2QzR", at: 0)]
        #expect(Fx.of(.weakToken, Fx.findings(events)).map(\.severity) == [.low])
    }

    @Test func aWeakTokenThatCollidedIsHigh() {
        let events = [Fx.request(.executed, token: "1732860000123", at: 0),
                      Fx.request(.mismatch, token: "1732860000123", at: 0, fingerprint: Fx.payloadB)]
        let weak = Fx.of(.weakToken, Fx.findings(events))
        #expect(weak.map(\.severity) == [.high])
        #expect(weak.first?.evidence.contains("collision") == true)
    }
}
