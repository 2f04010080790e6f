import Foundation
import IdemApp
import IdemCore
import IdemFakes
import IdemUI
import Testing

/// The side-by-side view through the real run loop: the tokens are read on the store's feed and the verdict comes.
@Suite struct CompareLoadTests {
    @Test func aDoubleChargesTokensAreReadAndJudged() throws {
        let clock = FixedClock("2026-11-29T06:00:00Z")
        let store = MemoryStore(clock: clock, name: "payments.jsonl")
        let fp = Fingerprint(String(repeating: "d4", count: 32))
        let body = #"{"amount":1999,"customer":"cus_42"}"#
        for token in ["retry-a-7f3e", "retry-b-91c2"] {
            let request = StoredRequest(method: "POST", path: "/v1/charges", headers: ["Idempotency-Key": token], body: body)
            guard case .execute(let ticket, _) = try store.begin(tenant: "umbrella", token: token,
                                                                 operation: "POST /v1/charges", fingerprint: fp,
                                                                 request: request)
            else { Issue.record("no execution"); return }
            clock.advance(.seconds(20))
            try store.complete(ticket, response: StoredResponse(status: 201, body: #"{"id":"ch_\#(token.suffix(4))"}"#))
        }
        let ui = DashboardDriver(reader: store, clock: clock, width: 120, height: 40)
        ui.pump()
        ui.press(.char("F"), .char("/"))
        ui.type("kind:double")
        ui.press(.enter, .enter)
        #expect(ui.state.mode == .compare)
        #expect(ui.settle { ui.state.compare?.loaded == true })
        let verdict = ui.state.compare?.verdict.first ?? ""
        #expect(verdict.hasPrefix("The client made a new token per retry: 2 tokens carried one payload within 20s"),
                "\(verdict)")
        ui.settle()
        #expect(ui.screen.contains("\"customer\": \"cus_42\"") && ui.screen.contains("ch_7f3e") && ui.screen.contains("ch_91c2"))
    }
}
