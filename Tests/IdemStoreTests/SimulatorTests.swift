import Testing
import Foundation
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

@Suite struct SimulatorAuditTests {
    @Test(arguments: [UInt64(1), 2, 3])
    func theAuditFindsEveryKindTheSimulatorPlanted(seed: UInt64) throws {
        let start = Instant(rfc3339: "2026-11-28T00:00:00Z") ?? Instant(ms: 0)
        let clock = ManualClock(start)
        let store = MemoryStore(clock: clock)
        let summary = try Simulator(config: .init(seed: seed, events: 20_000, start: start), writer: store, clock: clock).run()
        var ledger = Ledger()
        var detector = FindingsDetector()
        for e in store.allEvents {
            ledger.apply(e)
            detector.observe(e)
        }
        // The end of the simulated timeline: every planted stuck token is past its deadline by then.
        let end = start + Simulator.Config.defaultSpan(policy: .standard)
        let findings = detector.findings(at: end, ledger: ledger)
        let byKind = Dictionary(grouping: findings, by: \.kind)
        for scenario in Scenario.allCases where scenario.isFinding {
            let kind = try #require(FindingKind(rawValue: scenario.rawValue), "no finding kind for \(scenario)")
            let planted = summary.plantedTokens[scenario] ?? []
            #expect(!planted.isEmpty, "seed \(seed) planted no \(scenario)")
            let found = byKind[kind] ?? []
            if kind == .weakToken {
                let tenants = Set(found.map(\.tenant))
                #expect(Set(planted.map(\.tenant)).isSubset(of: tenants), "weak-token tenants missing")
            } else {
                let tokens = Set(found.flatMap { f in f.tokens.map { TokenKey(tenant: f.tenant, token: $0) } })
                let missed = planted.filter { !tokens.contains($0) }
                #expect(missed.isEmpty, "seed \(seed): \(missed.count) of \(planted.count) planted \(kind.rawValue) not found")
            }
        }
        let critical = findings.filter { $0.kind == .doubleChargeSuspect }
        #expect(critical.allSatisfy { $0.severity >= .high }, "a double-charge suspect is at least high")
    }
}
