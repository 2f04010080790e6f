import IdemActions
import IdemCore
import IdemStore
import Testing

/// Which tokens a bulk purge takes.
@Suite struct PurgeSelectionTests {
    static let t0 = Instant(ms: 1_800_000_000_000)

    static func ledger() -> Ledger {
        var l = Ledger()
        func begin(_ tenant: String, _ token: String, at: Instant) {
            l.apply(StoreEvent(kind: .request, at: at, tenant: tenant, token: token, operation: "POST /v1/charges",
                               fingerprint: Fingerprint("f"), outcome: .executed, expiresAt: at + .hours(24),
                               lockedUntil: at + .seconds(60)))
        }
        begin("acme", "old", at: t0)
        begin("acme", "young", at: t0 + .minutes(55))
        begin("umbrella", "old2", at: t0 + .minutes(5))
        begin("acme", "done", at: t0)
        l.apply(StoreEvent(kind: .completed, at: t0 + .seconds(1), tenant: "acme", token: "done", responseStatus: 201))
        begin("acme", "gone", at: t0)
        l.apply(StoreEvent(kind: .purge, at: t0 + .seconds(1), tenant: "acme", token: "gone", actor: "a@b"))
        return l
    }

    @Test func stuckOlderThanTenMinutesOldestFirst() {
        let now = Self.t0 + .hours(1)
        let picked = PurgeSelection(status: .stuck, olderThan: .minutes(10)).targets(in: Self.ledger(), at: now)
        #expect(picked.map(\.key.token) == ["old", "old2"])
        #expect(picked[0].expect == PurgeExpectation(status: .stuck, version: 1, storedStatus: .inProgress,
                                                      expiresAt: Self.t0 + .hours(24)))
        #expect(picked[0].age == .hours(1) && picked[0].operation == "POST /v1/charges")
        let acme = PurgeSelection(status: .stuck, olderThan: .minutes(10), tenant: "acme").targets(in: Self.ledger(), at: now)
        #expect(acme.map(\.key.token) == ["old"])
        let completed = PurgeSelection(status: .completed, olderThan: TimeSpan(ms: 0)).targets(in: Self.ledger(), at: now)
        #expect(completed.map(\.key.token) == ["done"])
    }
}
