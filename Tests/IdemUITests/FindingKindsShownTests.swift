import IdemCore
import IdemFakes
import IdemSimulator
import IdemUI
import Testing

/// Every line of `FindingKind.table` reaches the screen: the simulator plants the kind, the detectors find it, the
/// header counts it, the findings view lists it, and the help explains it, each from the table.
@Suite struct FindingKindsShownTests {
    /// The simulator's traffic (seed 1, 20,000 events) and what it planted, judged at the end of its timeline.
    static let simulated: (events: [StoreEvent], summary: Simulator.Summary, end: Instant)? = {
        let start = Instant(rfc3339: "2026-11-28T00:00:00Z") ?? Instant(ms: 0)
        let clock = ManualClock(start)
        let store = MemoryStore(clock: clock)
        let sim = Simulator(config: .init(seed: 1, events: 20_000, start: start), writer: store, clock: clock)
        guard let summary = try? sim.run() else { return nil }
        return (store.allEvents, summary, start + Simulator.Config.defaultSpan(policy: .standard))
    }()

    static func dashboard(width: Int, height: Int) throws -> AppState {
        let sim = try #require(simulated, "the simulator failed")
        var s = AppState(storeName: "simulated.jsonl", storeKind: "journal", now: sim.end)
        _ = s.update(.resize(width: width, height: height))
        _ = s.update(.events(sim.events, malformed: []))
        // The kinds only a store's reader finds arrive as the feed posts them (the simulator cannot plant them).
        _ = s.update(.storeFindings(0, storeFound(at: sim.end)))
        _ = s.update(.tick(sim.end))
        s.refreshFindings(force: true)
        return s
    }

    /// One finding of each kind a store's reader supplies, as a reader builds them.
    static func storeFound(at t: Instant) -> [Finding] {
        FindingKind.table.filter(\.foundByStore).enumerated().map { i, x in
            Finding(kind: x.kind, severity: x.severities[0], tenant: "payments-fn", tokens: ["store-found-\(i)"],
                    firstSeen: t, lastSeen: t, evidence: "key payments-fn.app.handler#store-found-\(i): \(x.summary)")
        }
    }

    func lines(_ s: AppState) -> [String] {
        let g = Fixture.rendered(s)
        return (0..<g.height).map(g.line)
    }

    @Test func everyKindIsPlantedFoundCountedListedAndExplainedFromTheTable() throws {
        let sim = try #require(Self.simulated, "the simulator failed")
        var wide = try Self.dashboard(width: 200, height: 60)
        var narrow = try Self.dashboard(width: 80, height: 24)
        let header = Fixture.rendered(wide).line(3)
        var help = wide
        _ = help.update(.key(.char("?")))
        var helpLines = lines(help)
        for _ in 0..<10 {
            _ = help.update(.key(.pageDown))
            helpLines += lines(help)
        }
        _ = wide.update(.key(.char("F")))
        _ = narrow.update(.key(.char("F")))
        let filterLine = try #require(helpLines.first { $0.contains("finding:stuck") })
        for x in FindingKind.table {
            let name = x.kind.rawValue
            // The simulator plants it and the detectors find it (or a store's reader supplies it), at a severity
            // its line allows.
            if !x.foundByStore {
                let scenario = try #require(Scenario(planting: x.kind), "the simulator has no scenario for \(name)")
                #expect(scenario.finding == x.kind)
                #expect((sim.summary.planted[scenario] ?? 0) > 0, "nothing planted for \(name)")
            }
            let found = wide.findings.findings.indices.filter { wide.findings.findings[$0].kind == x.kind }
            let first = try #require(found.first, "no \(name) found")
            for i in found {
                #expect(x.severities.contains(wide.findings.findings[i].severity), "\(name) at an unlisted severity")
            }
            // The header counts it by its label.
            #expect(header.contains(" \(x.label) "), "\(x.label) not in the header: \(header)")
            // The findings view lists it by name (by label when narrow), and names it over the evidence pane.
            for (state, shown) in [(wide, name), (narrow, x.label)] {
                var s = state
                s.findings.cursor = first
                let screen = lines(s)
                let severity = s.findings.findings[first].severity.rawValue
                let row = severity.padding(toLength: 9, withPad: " ", startingAt: 0) + shown + " "
                #expect(screen.contains { $0.hasPrefix(row) }, "no \(shown) row at \(s.width) columns")
                #expect(screen.contains { $0.hasPrefix("─ \(severity) \(name) · ") }, "no \(name) pane at \(s.width)")
            }
            // The help explains it and the filter term takes its label.
            let line = try #require(helpLines.first { $0.hasPrefix("  \(name) ") }, "no help line for \(name)")
            #expect(line.contains("\(x.severityText): \(x.summary) (finding:\(x.label))"), "\(line)")
            #expect(filterLine.contains(" \(x.label)"), "finding:\(x.label) not in the help's filter terms")
        }
    }
}
