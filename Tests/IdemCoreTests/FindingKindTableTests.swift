import Foundation
import Testing
@testable import IdemCore

/// `FindingKind.table`, the one place a kind's names, severities and help text live, and the `Detector` list.
@Suite struct FindingKindTableTests {
    @Test func theTableHasOneLineAKindInTheOrderOfTheCases() {
        #expect(FindingKind.table.map(\.kind) == FindingKind.allCases)
        for (i, kind) in FindingKind.allCases.enumerated() {
            #expect(kind.rank == i, "\(kind)")
            #expect(kind.info.kind == kind)
            #expect(!kind.info.severities.isEmpty, "\(kind) has no severity")
            #expect(kind.info.severities == kind.info.severities.sorted(), "\(kind): lowest first")
            #expect(!kind.info.summary.isEmpty && !kind.title.isEmpty)
        }
    }

    @Test func everyNameTheFilterTakesIsOneKindsAndParsesBack() {
        var seen: [String: FindingKind] = [:]
        for x in FindingKind.table {
            for name in [x.kind.rawValue, x.label] + x.aliases {
                #expect(seen[name] == nil || seen[name] == x.kind, "\(name) names two kinds")
                seen[name] = x.kind
                #expect(FindingKind(filterName: name) == x.kind, "\(name)")
                #expect(FindingKind(filterName: name.uppercased().replacingOccurrences(of: "_", with: "-")) == x.kind)
            }
        }
        #expect(FindingKind(filterName: "bogus") == nil)
        #expect(FindingKind.doubleChargeSuspect.shortLabel == "double_charge")
    }

    @Test func severityTextReadsAsWords() {
        #expect(FindingKind.doubleChargeSuspect.info.severityText == "high or critical")
        #expect(FindingKind.weakToken.info.severityText == "low, medium or high")
        #expect(FindingKind.expiringWithRetries.info.severityText == "medium")
    }

    /// docs/findings.md has a row for every kind, naming each severity its line allows.
    @Test func theDocsTableNamesEveryKindAndItsSeverities() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let doc = try String(contentsOf: root.appendingPathComponent("docs/findings.md"), encoding: .utf8)
        let rows = doc.split(separator: "\n").filter { $0.hasPrefix("| `") }
        for x in FindingKind.table {
            let row = try #require(rows.first { $0.hasPrefix("| `\(x.kind.rawValue)` |") }, "no row for \(x.kind)")
            let severityCell = row.split(separator: "|")[2].lowercased()
            for s in x.severities { #expect(severityCell.contains(s.rawValue), "\(x.kind): \(s) not in the docs") }
            #expect(doc.contains("## `\(x.kind.rawValue)`"), "no section for \(x.kind)")
        }
    }

    /// Every detector gets every event; the report asks each of them, and what one drops is counted by kind.
    @Test func theDetectorsAreDrivenThroughTheProtocol() throws {
        var d = FindingsDetector(config: DetectorConfig(maxFindingsPerKind: 1))
        #expect(d.detectors.count == FindingsDetector.detectors(config: .standard).count)
        d.observe(contentsOf: (0..<3).map { Fx.request(.reexecuted, token: "tok-\($0)", at: Int64($0) * 1000) })
        let reexecutions = try #require(d.detector(ReexecutionTracker.self))
        #expect(reexecutions.entries.count == 1 && reexecutions.dropped == 2)
        #expect(reexecutions.droppedByKind == [.reexecutedAfterExpiry: 2])
        #expect(d.detector(StuckDetector.self)?.droppedByKind == [:])
        #expect(d.report(at: Fx.t0 + .minutes(1), ledger: Ledger()).suppressed == [.reexecutedAfterExpiry: 2])
    }
}
