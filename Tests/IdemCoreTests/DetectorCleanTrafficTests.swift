import Foundation
import Testing
@testable import IdemCore
import IdemSimulator

/// Realistic traffic through the store's real rules: clean traffic yields nothing, planted problems are all found.
@Suite struct DetectorCleanTrafficTests {
    /// 3 tenants, 3,000 requests over about 2 hours: unique UUID tokens, distinct payloads, completions, and clients
    /// retrying with the same token (replays, and conflicts while the first attempt is running).
    static func cleanTraffic(_ h: StoreHarness, requests: Int = 3000, seed: UInt64 = 7) throws {
        var rng = SeededRandom(seed: seed)
        let tenants = ["acme", "globex", "initech"]
        let operations = [Fx.charges, "POST /v1/refunds", Fx.orders]
        var recent: [(token: String, tenant: String, operation: String, body: String)] = []
        for i in 0..<requests {
            h.advance(TimeSpan(ms: Int64(500 + rng.next() % 3000)))
            let roll = rng.next() % 10
            if roll < 3, let old = recent.randomElement(using: &rng) {
                // A retry of an earlier request with the same token and payload: replayed.
                let outcome = try h.send(token: old.token, tenant: old.tenant, operation: old.operation, body: old.body)
                #expect(outcome == .replayed)
                continue
            }
            let token = Fx.uuid(&rng)
            let tenant = tenants[Int(rng.next() % 3)]
            let operation = operations[Int(rng.next() % 3)]
            let body = #"{"amount":\#(100 + rng.next() % 100_000),"customer":"cus_\#(i)","n":\#(i)}"#
            if roll == 3 {
                // A concurrent duplicate while the first is in progress: conflict, then the first completes.
                let fp = Fingerprint.of(method: "POST", path: operation, body: body)
                let first = try h.store.begin(tenant: tenant, token: token, operation: operation, fingerprint: fp, request: nil)
                let second = try h.send(token: token, tenant: tenant, operation: operation, body: body)
                #expect(second == .conflict)
                if case .execute(let ticket, _) = first {
                    try h.store.complete(ticket, response: StoredResponse(status: 201))
                }
            } else {
                try h.send(token: token, tenant: tenant, operation: operation, body: body)
            }
            recent.append((token, tenant, operation, body))
            if recent.count > 50 { recent.removeFirst() }
        }
    }

    @Test func cleanTrafficHasNoFindings() throws {
        let h = StoreHarness()
        try Self.cleanTraffic(h)
        let findings = h.findings()
        #expect(findings.isEmpty, "\(findings.prefix(3).map { "\($0.kind.rawValue): \($0.evidence)" })")
        #expect(h.store.allEvents.count > 5000)
    }

    @Test func everyPlantedKindIsFound() throws {
        let h = StoreHarness()
        try Self.cleanTraffic(h, requests: 300)
        // double_charge_suspect: a fresh token on retry.
        let body = #"{"amount":5000,"customer":"cus_dc"}"#
        try h.send(token: "11111111-aaaa-4bbb-8ccc-000000000001", operation: Fx.charges, body: body)
        h.advance(.seconds(30))
        try h.send(token: "11111111-aaaa-4bbb-8ccc-000000000002", operation: Fx.charges, body: body)
        // token_reuse: one token, another payload.
        try h.send(token: "22222222-aaaa-4bbb-8ccc-000000000001", body: #"{"n":"first"}"#)
        #expect(try h.send(token: "22222222-aaaa-4bbb-8ccc-000000000001", body: #"{"n":"second"}"#) == .mismatch)
        // retry_storm: 15 retries in 15 seconds.
        try h.send(token: "33333333-aaaa-4bbb-8ccc-000000000001", body: #"{"n":"storm"}"#)
        for _ in 0..<15 {
            h.advance(.seconds(1))
            try h.send(token: "33333333-aaaa-4bbb-8ccc-000000000001", body: #"{"n":"storm"}"#)
        }
        // weak_token: a timestamp as a token.
        try h.send(token: "1764374400123", tenant: "globex", body: #"{"n":"weak"}"#)
        // stuck: begun, never completed.
        try h.send(token: "44444444-aaaa-4bbb-8ccc-000000000001", body: #"{"n":"stuck"}"#, complete: false)
        // expiring_with_retries and reexecuted_after_expiry: retried in the last hour, then after expiry.
        try h.send(token: "55555555-aaaa-4bbb-8ccc-000000000001", body: #"{"n":"late"}"#)
        h.advance(.minutes(23 * 60 + 30))
        try h.send(token: "55555555-aaaa-4bbb-8ccc-000000000001", body: #"{"n":"late"}"#)
        h.advance(.hours(1))
        #expect(try h.send(token: "55555555-aaaa-4bbb-8ccc-000000000001", body: #"{"n":"late"}"#) == .reexecuted)

        // The stuck token expired meanwhile; plant another one just before looking.
        try h.send(token: "66666666-aaaa-4bbb-8ccc-000000000001", body: #"{"n":"stuck2"}"#, complete: false)
        h.advance(.minutes(10))
        let findings = h.findings()
        // Every kind the detectors find from events (the others come from a store's reader: StoreFindingsTests).
        #expect(Set(findings.map(\.kind)) == Set(FindingKind.allCases.filter { !$0.info.foundByStore }))
        // Nothing else: each planted problem, and no noise from the clean traffic.
        let tokens = Set(findings.flatMap(\.tokens))
        #expect(tokens.allSatisfy { $0.contains("aaaa-4bbb") || $0 == "1764374400123" }, "\(tokens)")
    }
}
