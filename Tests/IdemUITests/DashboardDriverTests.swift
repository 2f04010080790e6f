import IdemApp
import IdemCore
import IdemFakes
import IdemUI
import Testing

/// The dashboard's real run loop over a `MemoryStore` through the test terminal: effects performed against a
/// real reader.
@Suite struct DashboardDriverTests {
    @Test func detailLoadsThroughTheEffectAndMasksSecrets() throws {
        let clock = FixedClock("2026-11-29T06:00:00Z")
        let store = MemoryStore(clock: clock, name: "payments.jsonl")
        let fp = Fingerprint(String(repeating: "e5", count: 32))
        let request = StoredRequest(method: "POST", path: "/v1/charges",
                                    headers: ["Authorization": "Bearer sk_live_123", "X-Api-Key": "k-999"],
                                    body: #"{"amount":500,"card_number":"4000056655665556","cvc":"321"}"#)
        guard case .execute(let ticket, _) = try store.begin(tenant: "acme", token: "tok-1", operation: "POST /v1/charges",
                                                             fingerprint: fp, request: request)
        else { Issue.record("expected an execution"); return }
        clock.advance(.seconds(1))
        try store.complete(ticket, response: StoredResponse(status: 201, body: #"{"id":"ch_9"}"#))
        clock.advance(.seconds(5))
        _ = try store.begin(tenant: "acme", token: "tok-1", operation: "POST /v1/charges",
                            fingerprint: Fingerprint(String(repeating: "f6", count: 32)), request: nil)

        let ui = DashboardDriver(reader: store, clock: clock, width: 100, height: 40)
        ui.pump()
        #expect(ui.screen.contains("tok-1"))
        ui.press(.enter)
        let screen = ui.screen
        #expect(screen.contains("── Request"))
        #expect(screen.contains("Bearer ****"))
        #expect(!screen.contains("sk_live_123") && !screen.contains("k-999") && !screen.contains("321\""))
        #expect(screen.contains("****5556"))
        ui.press(.char("G"))
        #expect(ui.screen.contains("≠ stored"))
        ui.press(.char("y"))
        #expect(ui.copied == ["tok-1"])
        ui.press(.escape, .char(":"))
        ui.type("theme colour-blind")
        ui.press(.enter)
        #expect(ui.terminal.themes.map(\.name) == ["colour-blind"])
        ui.press(.char("q"))
        #expect(ui.quit)
    }

    @Test func noticesFromTheReaderShow() {
        let clock = FixedClock("2026-11-29T06:00:00Z")
        let store = MemoryStore(clock: clock)
        store.addNotice("journal truncated; reading again from the start")
        let ui = DashboardDriver(reader: store, clock: clock)
        ui.pump()
        #expect(ui.screen.contains("journal truncated"))
    }

    /// `r` through the fake terminal: the plan comes from the store's request, the dialog holds the secret header
    /// back, and only Tab, Enter asks for the send.
    @Test func replayAsksThroughTheDialogFirst() throws {
        let clock = FixedClock("2026-11-29T06:00:00Z")
        let store = MemoryStore(clock: clock)
        let request = StoredRequest(method: "post", path: "/v1/refunds",
                                    headers: ["Authorization": "Bearer sk_live_123", "Content-Type": "application/json"],
                                    body: "{}")
        guard case .execute(let ticket, _) = try store.begin(tenant: "acme", token: "tok-9", operation: "POST /v1/refunds",
                                                             fingerprint: Fingerprint("f"), request: request)
        else { Issue.record("expected an execution"); return }
        try store.complete(ticket, response: StoredResponse(status: 201, body: "{}"))
        // A target that refuses at once: the send, when it happens, fails fast and shows in the panel.
        var options = DashboardOptions(clock: clock)
        options.replayTarget = "http://127.0.0.1:9"
        let ui = DashboardDriver(reader: store, clock: clock, width: 100, height: 40, options: options)
        ui.pump()
        ui.press(.char("r"))
        #expect(ui.settle(until: { ui.state.replayDialog != nil && ui.screen.contains("method     POST") }))
        let dialog = ui.screen
        #expect(dialog.contains("url        http://127.0.0.1:9/v1/refunds") && dialog.contains("method     POST"), "\(dialog)")
        #expect(dialog.contains("not sent   Authorization (secret)") && !dialog.contains("sk_live_123"))
        #expect(dialog.contains("answered from the stored response"))
        ui.press(.escape)
        #expect(ui.state.replayDialog == nil && ui.state.replayPanel == nil && ui.state.replaysInFlight.isEmpty,
                "Esc sends nothing")
        ui.press(.char("r"))
        #expect(ui.settle(until: { ui.state.replayDialog != nil }))
        ui.press(.tab, .enter)
        #expect(ui.settle(until: { ui.state.replayPanel != nil && ui.state.replaysInFlight.isEmpty }),
                "Tab, Enter sends it: the panel shows the (refused) answer")
    }
}
