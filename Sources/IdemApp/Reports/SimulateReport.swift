import IdemCore
import IdemSimulator
import IdemStore

/// What `simulate` says it wrote: JSON for scripts, lines for people.
public struct SimulateReport: Encodable, Sendable {
    public var events: Int
    public var planted: [String: Int]
    public var outcomes: [String: Int]
    public var completed: Int
    public var failed: Int
    @Nullable public var firstEventAt: String?
    @Nullable public var lastEventAt: String?
    let summary: Simulator.Summary

    enum CodingKeys: String, CodingKey {
        case events, planted, outcomes, completed, failed
        case firstEventAt = "first_event_at", lastEventAt = "last_event_at"
    }

    public init(_ s: Simulator.Summary) {
        summary = s
        events = s.events
        planted = Dictionary(uniqueKeysWithValues: Scenario.allCases.filter { $0 != .clean }
            .map { ($0.rawValue, s.planted[$0] ?? 0) })
        outcomes = Dictionary(uniqueKeysWithValues: Outcome.allCases.map { ($0.rawValue, s.outcomes[$0] ?? 0) })
        completed = s.completed
        failed = s.failed
        firstEventAt = s.first?.rfc3339
        lastEventAt = s.last?.rfc3339
    }

    public func lines(_ location: StoreLocation) -> [String] {
        let s = summary
        var lines = ["wrote \(s.events) events to \(Sanitizer.visible(location.description))"]
        if let first = s.first, let last = s.last { lines.append("from \(first.rfc3339) to \(last.rfc3339)") }
        lines.append("outcomes: " + Outcome.allCases.map { "\($0.rawValue) \(s.outcomes[$0] ?? 0)" }.joined(separator: ", ")
                     + "; completed \(s.completed), failed \(s.failed)")
        lines.append("planted:")
        lines += TextTable.render(header: ["KIND", "COUNT"],
                                  rows: Scenario.allCases.filter { $0 != .clean }
                                      .map { [$0.rawValue, String(s.planted[$0] ?? 0)] },
                                  numeric: [1]).map { "  " + $0 }
        return lines
    }
}
