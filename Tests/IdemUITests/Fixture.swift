import Foundation
import IdemCore
import IdemUI
import Testing

/// A small, deterministic store history covering every status, outcome and awkward text, at a fixed clock.
enum Fixture {
    static let now = Instant(rfc3339: "2026-11-29T06:00:00Z") ?? Instant(ms: 0)
    static let fpA = Fingerprint(String(repeating: "a1", count: 32))
    static let fpB = Fingerprint(String(repeating: "b2", count: 32))

    static func at(_ seconds: Int64) -> Instant { now + .seconds(seconds) }

    static func request(_ tenant: String, _ token: String, _ op: String, _ outcome: Outcome, at t: Instant,
                        fingerprint: Fingerprint = fpA) -> StoreEvent {
        var e = StoreEvent(kind: .request, at: t, tenant: tenant, token: token, operation: op,
                           fingerprint: fingerprint, outcome: outcome)
        if outcome.executes {
            e.expiresAt = t + .hours(24)
            e.lockedUntil = t + .seconds(60)
        }
        if outcome == .mismatch { e.storedFingerprint = fpA }
        return e
    }

    static func completed(_ tenant: String, _ token: String, at t: Instant, status: Int = 201) -> StoreEvent {
        StoreEvent(kind: .completed, at: t, tenant: tenant, token: token, responseStatus: status)
    }

    static let longToken = "3f2a9c1d7e5b4a60b1c2d3e4f5a691bc"

    /// The events, oldest first.
    static var events: [StoreEvent] {
        var out: [StoreEvent] = []
        // A completed charge hit four times.
        out.append(request("acme", longToken, "POST /v1/charges", .executed, at: at(-600)))
        out.append(completed("acme", longToken, at: at(-599)))
        for i in 0..<4 { out.append(request("acme", longToken, "POST /v1/charges", .replayed, at: at(-500 + Int64(i) * 60))) }
        // Expired yesterday.
        out.append(request("initech", "tok-expired", "POST /v1/refunds", .executed, at: at(-25 * 3600)))
        out.append(completed("initech", "tok-expired", at: at(-25 * 3600 + 1)))
        // A token with an escape sequence in it, reused with another payload twice.
        out.append(request("umbrella", "evil\u{1b}[31mred", "POST /v1/charges", .executed, at: at(-400)))
        out.append(completed("umbrella", "evil\u{1b}[31mred", at: at(-399)))
        out.append(request("umbrella", "evil\u{1b}[31mred", "POST /v1/charges", .mismatch, at: at(-300), fingerprint: fpB))
        out.append(request("umbrella", "evil\u{1b}[31mred", "POST /v1/charges", .mismatch, at: at(-200), fingerprint: fpB))
        // Failed.
        out.append(request("hooli", "pay-0042", "POST /v1/payouts", .executed, at: at(-250)))
        out.append(StoreEvent(kind: .failed, at: at(-249), tenant: "hooli", token: "pay-0042", error: "card declined"))
        // Purged by an operator, then replayed.
        out.append(request("acme", "order-77", "POST /v1/charges", .executed, at: at(-240)))
        out.append(completed("acme", "order-77", at: at(-239)))
        out.append(StoreEvent(kind: .purge, at: at(-120), tenant: "acme", token: "order-77", actor: "alice@ops-1",
                              reason: "customer retry", sawStatus: .completed, sawVersion: 2))
        // Stuck: in progress past its lock.
        out.append(request("globex", "order-1001", "POST /v1/charges", .executed, at: at(-180)))
        out.append(request("globex", "order-1001", "POST /v1/charges", .conflict, at: at(-170)))
        // Wide text: CJK tenant, accented operation; in progress.
        out.append(request("東京商事", "注文-2026-東京", "POST /v1/café/paiements", .executed, at: at(-20)))
        // Reexecuted after expiry.
        out.append(request("café-münchen", "retry-9", "POST /v1/charges", .executed, at: at(-26 * 3600)))
        out.append(completed("café-münchen", "retry-9", at: at(-26 * 3600 + 2)))
        out.append(request("café-münchen", "retry-9", "POST /v1/charges", .reexecuted, at: at(-10)))
        out.append(completed("café-münchen", "retry-9", at: at(-9)))
        return out
    }

    /// A store's purge that is not a deletion for stuck tokens (as Postgres words a rocket-rides release).
    static let release = PurgeWording(action: "Release the lock of", done: "released the lock of",
                                      consequence: "its lock is released and the row kept: the next retry with "
                                          + "this key runs the request's remaining phases again", button: "Release")

    /// The fixture's state with the selection on `token`.
    static func selecting(_ token: String, in s: inout AppState) throws {
        let row = try #require(s.index.rows.firstIndex { s.ledger.records[Int($0)].token == token })
        _ = s.update(.key(.char("g")))
        for _ in 0..<row { _ = s.update(.key(.char("j"))) }
    }

    /// A state with the fixture applied and indexed, at `width`x`height`.
    static func state(width: Int = 80, height: Int = 24) -> AppState {
        var s = AppState(storeName: "payments.jsonl", storeKind: "journal", now: now)
        _ = s.update(.resize(width: width, height: height))
        _ = s.update(.events(events, malformed: [MalformedEntry(position: 7, reason: "not JSON")]))
        _ = s.update(.progress(LoadStatus(done: 4096, total: 4096, unit: "bytes", rate: 0, finished: true)))
        _ = s.update(.tick(now))
        _ = s.update(.reindex)
        return s
    }

    /// The detail the run loop would load for the long token.
    static var detail: DetailContent {
        let key = TokenKey(tenant: "acme", token: longToken)
        let req = StoredRequest(method: "POST", path: "/v1/charges",
                                headers: ["Authorization": "Bearer sk_live_abcdef", "Content-Type": "application/json",
                                          "Idempotency-Key": longToken],
                                body: #"{"amount":1999,"currency":"eur","card":{"card_number":"4242424242424242","cvc":"123"},"note":"line1\nline2\u001b[2J"}"#)
        let res = StoredResponse(status: 201, headers: ["Content-Type": "application/json", "Set-Cookie": "sid=abc"],
                                 body: #"{"id":"ch_1","status":"succeeded","amount":1999}"#)
        var timeline = events.filter { $0.tenant == "acme" && $0.token == longToken }
        var mismatch = request("acme", longToken, "POST /v1/charges", .mismatch, at: at(-60), fingerprint: fpB)
        mismatch.storedFingerprint = fpA
        timeline.append(mismatch)
        return DetailContent(key: key, request: req, response: res, error: nil, timeline: timeline)
    }

    /// The replay plan the run loop would answer `Effect.prepareReplay` with for `key`.
    static func preview(_ key: TokenKey, path: String = "/v1/charges") -> ReplayPreview {
        ReplayPreview(key: key, method: "POST", url: "http://127.0.0.1:8080" + path,
                      idempotencyHeader: "Idempotency-Key", notSent: ["Authorization"])
    }

    static func rendered(_ s: AppState, theme: Theme = BuiltinThemes.standard) -> Grid {
        var g = Grid(width: s.width, height: s.height)
        render(s, theme: theme, into: &g)
        return g
    }
}

/// What the key-by-key suites share: keys sent to the pure update, and the screen it draws.
protocol DrivesState {}

extension DrivesState {
    /// Sends each key in turn; the effects they asked for, in order.
    func press(_ s: inout AppState, _ keys: Key...) -> [Effect] {
        var out: [Effect] = []
        for k in keys { out += s.update(.key(k)) }
        return out
    }

    /// `r`, answered by the plan as the run loop would, then Tab to Replay and Enter: the effects Enter asked for
    /// (`[.replay(key)]` when it sends). When `r` asks for no plan (refused, in flight), its effects.
    func replay(_ s: inout AppState) -> [Effect] {
        let asked = press(&s, .char("r"))
        guard asked.count == 1, case .prepareReplay(let key) = asked[0] else { return asked }
        _ = s.update(.replayPrepared(Fixture.preview(key)))
        return press(&s, .tab, .enter)
    }

    /// Types text, one key per character.
    func type(_ s: inout AppState, _ text: String) {
        for ch in text { _ = s.update(.key(.char(ch))) }
    }

    /// The screen as text, one line per row, in the standard theme.
    func screen(_ s: AppState) -> String { Fixture.rendered(s).text }
}
