import Foundation
import IdemCore
import IdemUI
import Testing

/// What the investigation flow costs over a million tokens, printed (no time asserted; targets go in benchmarks):
/// `IDEMTOP_PERF=1 swift test -c release --filter FlowPerformanceTests`.
@Suite struct FlowPerformanceTests {
    @Test(.enabled(if: PerformanceTests.enabled)) func flowFigures() {
        var s = PerformanceTests.millionTokens()
        s.reindex()
        s.refreshFindings(force: true)
        let key = s.ledger.key(of: s.ledger.records[500_000])
        var siblings: [TokenKey] = []
        let sib = PerformanceTests.ms { siblings = DetailRelations.siblings(of: key, in: s.ledger, window: .minutes(10)) }
        _ = s.setFilter("tenant:acme op:charges")
        s.reindex()
        var grid = Grid(width: 200, height: 60)
        let tailFrame = PerformanceTests.ms { render(s, theme: BuiltinThemes.standard, into: &grid) }
        _ = s.update(.key(.char("F")))
        let narrow = PerformanceTests.ms { _ = s.setFilter("tenant:acme severity:high") }
        print("flow over \(s.ledger.count) tokens, \(s.findings.findings.count) findings: siblings \(siblings.count) in "
            + String(format: "%.1f ms; a frame with the tail filtered %.1f ms; findings narrowed to %d in %.1f ms",
                     sib, tailFrame, s.findings.shown.count, narrow))
        #expect(siblings.count <= DetailRelations.maxSiblings)
    }
}
