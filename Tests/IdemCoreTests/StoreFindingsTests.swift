import Testing
@testable import IdemCore

/// Findings a store's reader supplies (`FindingsDetector.supply`): reported with the detectors' own, in report
/// order, each store's list replaced by its next one, stamped with the store's number, capped per kind.
@Suite struct StoreFindingsTests {
    static func finding(_ kind: FindingKind, _ token: String, severity: Severity = .high, at ms: Int64 = 1_000) -> Finding {
        Finding(kind: kind, severity: severity, tenant: "payments-fn", tokens: [token], firstSeen: Instant(ms: ms),
                lastSeen: Instant(ms: ms), evidence: "key payments-fn.app.handler#\(token): seen by the store")
    }

    @Test func suppliedFindingsAreReportedWithTheDetectorsOwnAndReplacedPerStore() {
        var detector = FindingsDetector()
        // A stuck token the detectors find from events.
        var ledger = Ledger()
        let begun = StoreEvent(seq: 1, kind: .request, at: Instant(ms: 0), tenant: "t", token: "9b2f6c1e-4d3a-4c7e-8f21-6a5b0c9d1e2f",
                               operation: "POST /x", fingerprint: Fingerprint(String(repeating: "a", count: 64)),
                               outcome: .executed, expiresAt: Instant(ms: 86_400_000), lockedUntil: Instant(ms: 1_000))
        ledger.apply(begun)
        detector.observe(begun)
        detector.supply([Self.finding(.orphanTakeover, "a"), Self.finding(.inProgressNoDeadline, "b", severity: .medium)])
        detector.supply([Self.finding(.validationHashDropped, "c", severity: .medium, at: 500)], store: 1)
        let now = Instant(ms: 3_600_000)
        let all = detector.findings(at: now, ledger: ledger)
        #expect(all.map(\.kind) == [.stuck, .orphanTakeover, .validationHashDropped, .inProgressNoDeadline])
        #expect(all.first { $0.kind == .validationHashDropped }?.stores == [1], "stamped with its store")
        #expect(all.first { $0.kind == .orphanTakeover }?.stores == [], "store 0 needs no stamp")
        // The next list of store 0 replaces its last one; store 1's stays.
        detector.supply([])
        #expect(detector.findings(at: now, ledger: ledger).map(\.kind) == [.stuck, .validationHashDropped])
        #expect(detector.supplied.map(\.tokens) == [["c"]])
        // --since applies to them as to the others (their last seen is when the reader found them).
        #expect(detector.findings(at: now, ledger: ledger, since: Instant(ms: 600)).map(\.kind) == [.stuck])
        // The JSON report has them like any kind.
        detector.supply([Self.finding(.orphanTakeover, "a\u{1B}[31m")])
        let json = FindingsReport.json(detector.findings(at: now, ledger: ledger))
        #expect(json.contains(#""kind": "orphan_takeover""#) && json.contains(#"a\u001b[31m"#))
        #expect(!FindingsReport.table(detector.findings(at: now, ledger: ledger)).contains("\u{1B}"))
    }

    @Test func pastTheCapTheyAreCountedNotListed() {
        var detector = FindingsDetector(config: DetectorConfig(maxFindingsPerKind: 2))
        detector.supply((0..<5).map { Self.finding(.orphanTakeover, "t\($0)") })
        let (findings, suppressed) = detector.report(at: Instant(ms: 2_000), ledger: Ledger())
        #expect(findings.count == 2 && suppressed[.orphanTakeover] == 3)
        #expect(FindingsReport.notListed(suppressed, cap: 2)?.contains("3 more orphan_takeover") == true)
    }
}
