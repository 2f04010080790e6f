import Foundation
import Testing
@testable import IdemCore

@Suite struct FindingTests {
    @Test func severitiesAreOrderedLowToCritical() {
        #expect(Severity.low < .medium)
        #expect(Severity.medium < .high)
        #expect(Severity.high < .critical)
        #expect(Severity.allCases.sorted() == [.low, .medium, .high, .critical])
        #expect([Severity.high, .low, .critical, .medium].max() == .critical)
        #expect(!(Severity.high < .high))
    }

    @Test func severityParsesIgnoringCase() {
        #expect(Severity(parsing: "HIGH") == .high)
        #expect(Severity(parsing: " critical ") == .critical)
        #expect(Severity(parsing: "urgent") == nil)
    }

    @Test func kindRawValuesAreTheDocumentedNames() {
        #expect(FindingKind.allCases.map(\.rawValue) == [
            "double_charge_suspect", "reexecuted_after_expiry", "token_reuse", "stuck", "weak_token", "retry_storm",
            "expiring_with_retries", "validation_hash_dropped", "in_progress_no_deadline", "orphan_takeover",
        ])
    }

    @Test func reportOrderPutsTheMostSevereFirstThenTheOldest() {
        func f(_ kind: FindingKind, _ s: Severity, _ ms: Int64) -> Finding {
            Finding(kind: kind, severity: s, tenant: "t", tokens: ["x"], firstSeen: Instant(ms: ms),
                    lastSeen: Instant(ms: ms), evidence: "")
        }
        let sorted = [f(.stuck, .medium, 1), f(.tokenReuse, .critical, 9), f(.retryStorm, .high, 5),
                      f(.weakToken, .high, 2)].sorted(by: Finding.reportOrder)
        #expect(sorted.map(\.kind) == [.tokenReuse, .weakToken, .retryStorm, .stuck])
    }

    @Test func sinceKeepsFindingsLastSeenAtOrAfterIt() {
        // Two reexecutions of different tokens, one at t0+1h and one at t0+2h.
        let policy = Policy(retention: .minutes(30))
        let events = [
            Fx.request(.executed, token: "a", at: 0, policy: policy),
            Fx.request(.executed, token: "b", at: 1, fingerprint: Fx.payloadB, policy: policy),
            Fx.request(.reexecuted, token: "a", at: 3_600_000, policy: policy),
            Fx.request(.reexecuted, token: "b", at: 7_200_000, fingerprint: Fx.payloadB, policy: policy),
        ]
        let at2h = Fx.t0 + .hours(2)
        let all = Fx.of(.reexecutedAfterExpiry, Fx.findings(events, policy: policy))
        #expect(all.count == 2)
        let edge = Fx.of(.reexecutedAfterExpiry, Fx.findings(events, policy: policy, since: at2h))
        #expect(edge.map(\.tokens) == [["b"]])
        let after = Fx.of(.reexecutedAfterExpiry, Fx.findings(events, policy: policy, since: at2h + TimeSpan(ms: 1)))
        #expect(after.isEmpty)
        #expect(all.since(at2h - TimeSpan(ms: 1)).count == 1)
        #expect(all.since(nil).count == 2)
    }

    @Test func worstSeverity() {
        let f = Finding(kind: .stuck, severity: .high, tenant: "t", tokens: [], firstSeen: Fx.t0, lastSeen: Fx.t0,
                        evidence: "")
        #expect([f].worstSeverity == .high)
        #expect([Finding]().worstSeverity == nil)
    }

    @Test func findingsPerKindAreCappedAndTheRestCounted() {
        var d = FindingsDetector(config: DetectorConfig(maxFindingsPerKind: 2))
        d.observe(contentsOf: (0..<3).map { Fx.request(.reexecuted, token: "tok-\($0)", at: Int64($0) * 1000) })
        #expect(d.observed == 3)
        #expect(Fx.of(.reexecutedAfterExpiry, d.findings(at: Fx.t0 + .minutes(1), ledger: Ledger())).count == 2)
        #expect(d.suppressed == [.reexecutedAfterExpiry: 1])
    }
}
