import Foundation
import Testing
@testable import IdemCore

@Suite struct DetectorExpiryTests {
    static let token = "c0ffee00-1234-4abc-9def-0123456789ab"
    static let day: Int64 = 24 * 3_600_000
    static let hour: Int64 = 3_600_000

    func expiring(retryAt ms: Int64, outcome: Outcome = .replayed, policy: Policy = .standard,
                  extra: [StoreEvent] = []) -> [Finding] {
        let events = [Fx.request(.executed, token: Self.token, at: 0, policy: policy),
                      Fx.completed(token: Self.token, at: 100)] + extra
            + [Fx.request(outcome, token: Self.token, at: ms, policy: policy)]
        return Fx.of(.expiringWithRetries, Fx.findings(events, policy: policy))
    }

    @Test func theMarginIsTenPercentOfRetentionCappedAtAnHour() {
        let c = DetectorConfig.standard
        #expect(c.expiryMargin(executedAt: Fx.t0, expiresAt: Fx.t0 + .hours(24)) == .hours(1))
        #expect(c.expiryMargin(executedAt: Fx.t0, expiresAt: Fx.t0 + .hours(2)) == .minutes(12))
        #expect(c.expiryMargin(executedAt: Fx.t0, expiresAt: Fx.t0 + .minutes(10)) == .minutes(1))
    }

    @Test(arguments: [(day - hour - 1, false), (day - hour, true), (day - hour + 1, true), (day - 1, true)])
    func marginEdgeWithTheStandardRetention(retryAt: Int64, found: Bool) {
        #expect(expiring(retryAt: retryAt).count == (found ? 1 : 0))
    }

    @Test func atExpiryTheRetryReexecutesInstead() {
        let found = expiring(retryAt: Self.day, outcome: .reexecuted)
        #expect(found.isEmpty)
    }

    @Test(arguments: [(2 * hour - 12 * 60_000 - 1, false), (2 * hour - 12 * 60_000, true)])
    func marginEdgeWithAShortRetention(retryAt: Int64, found: Bool) {
        let policy = Policy(retention: .hours(2))
        #expect(expiring(retryAt: retryAt, policy: policy).count == (found ? 1 : 0))
    }

    @Test func aConflictNearExpiryCountsAndTheFindingDescribesIt() throws {
        let f = try #require(expiring(retryAt: Self.day - 60_000, outcome: .conflict).first)
        #expect(f.severity == .medium)
        #expect(f.tokens == [Self.token])
        #expect(f.firstSeen == Fx.t0 + TimeSpan(ms: Self.day - 60_000))
        #expect(f.evidence.contains("1 conflict"))
        #expect(f.evidence.contains("1m before expiry"))
    }

    @Test func aCompletionThatMovesTheExpiryMovesTheMargin() {
        // The completion extends the expiry to 48 h: a retry at 23h30 is far from it.
        let extended = [Fx.completed(token: Self.token, at: 200, expiresAt: Fx.t0 + .hours(48))]
        #expect(expiring(retryAt: Self.day - 30 * 60_000, extra: extended).isEmpty)
        #expect(expiring(retryAt: 2 * Self.day - 30 * 60_000, extra: extended).count == 1)
    }

    @Test func itSurvivesALaterReexecution() throws {
        let h = StoreHarness()
        try h.send(token: Self.token, body: "{}")
        h.advance(.minutes(23 * 60 + 30))
        #expect(try h.send(token: Self.token, body: "{}") == .replayed)
        h.advance(.hours(1))
        #expect(try h.send(token: Self.token, body: "{}") == .reexecuted)
        let kinds = Set(h.findings().map(\.kind))
        #expect(kinds.contains(.expiringWithRetries))
        #expect(kinds.contains(.reexecutedAfterExpiry))
    }
}
