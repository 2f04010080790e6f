import Foundation
import IdemFakes
@testable import IdemCore
import IdemSimulator

/// Shared fixtures for the detector tests: a start time, payloads, hand-made events and a store-driven harness.
enum Fx {
    static let t0 = Instant(rfc3339: "2026-11-29T00:00:00Z")!
    static let orders = "POST /v1/orders"
    static let charges = "POST /v1/charges"

    static func fp(_ body: String, path: String = "/v1/orders") -> Fingerprint {
        Fingerprint.of(method: "POST", path: path, body: body)
    }

    static let payloadA = fp(#"{"amount":100,"customer":"c1"}"#)
    static let payloadB = fp(#"{"amount":250,"customer":"c2"}"#)

    /// A request event `ms` milliseconds after `t0`, shaped as a writer would write it.
    static func request(_ outcome: Outcome, token: String, at ms: Int64, tenant: String = "acme",
                        operation: String = orders, fingerprint: Fingerprint = payloadA,
                        policy: Policy = .standard) -> StoreEvent {
        let at = t0 + TimeSpan(ms: ms)
        var e = StoreEvent(kind: .request, at: at, tenant: tenant, token: token, operation: operation,
                           fingerprint: fingerprint, outcome: outcome)
        if outcome.executes {
            e.expiresAt = at + policy.retention
            e.lockedUntil = at + policy.lockTimeout
        }
        return e
    }

    static func completed(token: String, at ms: Int64, tenant: String = "acme", expiresAt: Instant? = nil) -> StoreEvent {
        StoreEvent(kind: .completed, at: t0 + TimeSpan(ms: ms), tenant: tenant, token: token, expiresAt: expiresAt,
                   responseStatus: 200)
    }

    /// Feeds `events` to a detector and a ledger and returns the findings at `now` (default: the last event's time).
    static func findings(_ events: [StoreEvent], now: Instant? = nil, config: DetectorConfig = .standard,
                         policy: Policy = .standard, since: Instant? = nil) -> [Finding] {
        var detector = FindingsDetector(config: config)
        var ledger = Ledger(policy: policy)
        for e in events {
            ledger.apply(e)
            detector.observe(e)
        }
        return detector.findings(at: now ?? events.last?.at ?? t0, ledger: ledger, since: since)
    }

    static func of(_ kind: FindingKind, _ findings: [Finding]) -> [Finding] { findings.filter { $0.kind == kind } }

    static func uuid(_ rng: inout SeededRandom) -> String {
        let hex = Array("0123456789abcdef")
        var s = ""
        for i in 0..<32 {
            if [8, 12, 16, 20].contains(i) { s.append("-") }
            s.append(hex[Int(rng.next() % 16)])
        }
        return s
    }
}

/// A `MemoryStore` with a fixed clock: sends requests through the real decision rules.
struct StoreHarness {
    let clock: FixedClock
    let store: MemoryStore
    let policy: Policy

    init(policy: Policy = .standard) {
        self.policy = policy
        clock = FixedClock(Fx.t0)
        store = MemoryStore(policy: policy, clock: clock)
    }

    func advance(_ span: TimeSpan) { clock.advance(span) }

    /// Sends one request and, when it executes and `complete` is true, completes it at once.
    @discardableResult
    func send(token: String, tenant: String = "acme", operation: String = Fx.orders, body: String,
              complete: Bool = true) throws -> Outcome {
        let fp = Fingerprint.of(method: "POST", path: operation, body: body)
        let result = try store.begin(tenant: tenant, token: token, operation: operation, fingerprint: fp,
                                     request: StoredRequest(method: "POST", path: operation, body: body))
        if complete, case .execute(let ticket, _) = result {
            try store.complete(ticket, response: StoredResponse(status: 200, body: #"{"ok":true}"#))
        }
        return result.outcome
    }

    func findings(now: Instant? = nil, config: DetectorConfig = .standard) -> [Finding] {
        Fx.findings(store.allEvents, now: now ?? clock.now(), config: config, policy: policy)
    }
}
