import Testing
import IdemCore
import IdemStore
import IdemFakes
@testable import IdemSimulator

@Suite struct SimulatorTests {
    let start = Instant(rfc3339: "2026-11-28T00:00:00Z") ?? Instant(ms: 0)

    func run(seed: UInt64, events: Int) throws -> (MemoryStore, Simulator.Summary) {
        let clock = ManualClock(start)
        let store = MemoryStore(clock: clock)
        let sim = Simulator(config: .init(seed: seed, events: events, start: start), writer: store, clock: clock)
        return (store, try sim.run())
    }

    @Test func theSameSeedAndStartGiveTheSameEvents() throws {
        let (a, _) = try run(seed: 42, events: 3000)
        let (b, _) = try run(seed: 42, events: 3000)
        let (c, _) = try run(seed: 43, events: 3000)
        #expect(a.allEvents.count == 3000)
        #expect(a.allEvents == b.allEvents)
        #expect(a.allEvents != c.allEvents)
    }

    @Test func plantsEveryScenarioAndTheStoreAgrees() throws {
        let (store, summary) = try run(seed: 7, events: 6000)
        for scenario in Scenario.allCases where scenario != .clean {
            #expect((summary.planted[scenario] ?? 0) > 0, "nothing planted for \(scenario)")
        }
        let events = store.allEvents
        #expect(summary.events == events.count)
        for outcome in Outcome.allCases {
            #expect(summary.outcomes[outcome] == events.filter { $0.outcome == outcome }.count, "\(outcome)")
        }
        var ledger = Ledger()
        events.forEach { ledger.apply($0) }
        let end = start + Simulator.Config.defaultSpan(policy: .standard)
        // Every planted stuck token is stuck at the end of the timeline.
        for key in summary.plantedTokens[.stuck] ?? [] {
            #expect(ledger.record(key)?.status(at: end) == .stuck, "\(key)")
        }
        // The timeline spans the retention window, so tokens expired and ran again.
        #expect((events.last?.at ?? start) - start > Policy.standard.retention)
        #expect((summary.outcomes[.reexecuted] ?? 0) > 0)
        // Timestamp-like tokens sit next to UUIDs.
        #expect(events.contains { $0.tenant == "initech" && $0.token.allSatisfy(\.isNumber) })
        #expect(events.contains { $0.tenant == "acme" && $0.token.count == 36 })
    }
}
