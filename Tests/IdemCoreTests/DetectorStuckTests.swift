import Foundation
import Testing
@testable import IdemCore

@Suite struct DetectorStuckTests {
    /// One execution that never completes, started at t0 with the standard 60 s lock and 24 h retention.
    static let events = [Fx.request(.executed, token: "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", at: 0)]
    static let deadline = Fx.t0 + .seconds(60)

    func stuck(at now: Instant, events: [StoreEvent] = Self.events) -> [Finding] {
        Fx.of(.stuck, Fx.findings(events, now: now))
    }

    @Test func beforeTheDeadlineItIsNotStuck() {
        #expect(stuck(at: Self.deadline - TimeSpan(ms: 1)).isEmpty)
    }

    @Test func atTheDeadlineItIsStuck() throws {
        let f = try #require(stuck(at: Self.deadline).first)
        #expect(f.severity == .medium)
        #expect(f.tokens == ["7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"])
        #expect(f.firstSeen == Fx.t0)
        #expect(f.lastSeen == Self.deadline)
        #expect(f.operation == Fx.orders)
        #expect(f.evidence.contains("stuck for 0s"))
    }

    @Test(arguments: [(TimeSpan(ms: 5 * 60_000 - 1), Severity.medium), (TimeSpan.minutes(5), .high),
                      (TimeSpan.hours(3), .high)])
    func severityGrowsWithHowLongItIsStuck(overdue: TimeSpan, severity: Severity) throws {
        let f = try #require(stuck(at: Self.deadline + overdue).first)
        #expect(f.severity == severity)
        #expect(f.evidence.contains("stuck for \(overdue.compact)"))
    }

    @Test func anExpiredTokenIsNoLongerStuck() {
        #expect(stuck(at: Fx.t0 + .hours(24) - TimeSpan(ms: 1)).count == 1)
        #expect(stuck(at: Fx.t0 + .hours(24)).isEmpty)
    }

    @Test func completedOrFailedTokensAreNotStuck() {
        let token = "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
        let completed = Self.events + [Fx.completed(token: token, at: 90_000)]
        #expect(stuck(at: Fx.t0 + .hours(1), events: completed).isEmpty)
        let failed = Self.events + [StoreEvent(kind: .failed, at: Fx.t0 + .seconds(2), tenant: "acme", token: token)]
        #expect(stuck(at: Fx.t0 + .hours(1), events: failed).isEmpty)
    }

    @Test func sinceStillShowsATokenStuckNow() {
        let now = Fx.t0 + .hours(2)
        let found = Fx.of(.stuck, Fx.findings(Self.events, now: now, since: now - .hours(1)))
        #expect(found.count == 1)
    }

    /// A crashed fleet leaves many stuck tokens: past the cap only the most overdue are listed, the rest counted.
    @Test func pastTheCapTheMostOverdueAreListedAndTheRestCounted() throws {
        let events = (0..<5).map { Fx.request(.executed, token: "crashed-\($0)", at: Int64($0) * 1000) }
        let config = DetectorConfig(maxFindingsPerKind: 3)
        var detector = FindingsDetector(config: config)
        var ledger = Ledger()
        for e in events {
            ledger.apply(e)
            detector.observe(e)
        }
        let now = Fx.t0 + .minutes(10)
        let listed = Fx.of(.stuck, detector.findings(at: now, ledger: ledger))
        #expect(Set(listed.flatMap(\.tokens)) == ["crashed-0", "crashed-1", "crashed-2"])
        #expect(detector.report(at: now, ledger: ledger).suppressed == [.stuck: 2])
        let line = try #require(FindingsReport.notListed(detector.report(at: now, ledger: ledger).suppressed, cap: 3))
        #expect(line == "not listed: 2 more stuck (past 3 of a kind, findings are counted, not listed)")
        #expect(FindingsReport.table(listed, suppressed: [.stuck: 2], cap: 3).hasSuffix("3 findings: 3 high\n\(line)\n"))
        // Under the cap nothing is left out.
        #expect(detector.report(at: Fx.t0 + .seconds(62), ledger: ledger).suppressed.isEmpty, "only 3 are stuck yet")
        #expect(FindingsReport.notListed([:]) == nil)
    }
}
