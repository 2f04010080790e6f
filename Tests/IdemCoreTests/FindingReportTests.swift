import Foundation
import Testing
@testable import IdemCore

@Suite struct FindingReportTests {
    static let sample: [Finding] = [
        Finding(kind: .doubleChargeSuspect, severity: .critical, tenant: "acme",
                tokens: ["0b8f0a2c-1111-4e5f-9a7b-2c3d4e5f6a7b", "7c1d2e3f-2222-4a5b-8c9d-0e1f2a3b4c5d", "third-token-xyz"],
                firstSeen: Fx.t0, lastSeen: Fx.t0 + .minutes(3), evidence: "POST /v1/charges executed 3 times",
                operation: Fx.charges, count: 3),
        Finding(kind: .weakToken, severity: .medium, tenant: "shop\u{1B}[31m", tokens: ["order-17"],
                firstSeen: Fx.t0 + .seconds(1), lastSeen: Fx.t0 + .seconds(2), evidence: "quote \" and \\ and \u{7}"),
    ]

    @Test func jsonHasTheSnakeCaseKeysAndRFC3339Times() throws {
        let text = FindingsReport.json(Self.sample)
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]]
        let objects = try #require(parsed)
        #expect(objects.count == 2)
        for o in objects {
            #expect(Set(o.keys) == ["kind", "severity", "tenant", "tokens", "first_seen", "last_seen", "evidence"])
        }
        #expect(objects[0]["kind"] as? String == "double_charge_suspect")
        #expect(objects[0]["severity"] as? String == "critical")
        #expect((objects[0]["tokens"] as? [String])?.count == 3)
        #expect(objects[0]["first_seen"] as? String == "2026-11-29T00:00:00.000Z")
        #expect((objects[0]["last_seen"] as? String).flatMap(Instant.init(rfc3339:)) == Fx.t0 + .minutes(3))
        // Store text survives the round trip, control characters included.
        #expect(objects[1]["tenant"] as? String == "shop\u{1B}[31m")
        #expect(objects[1]["evidence"] as? String == "quote \" and \\ and \u{7}")
    }

    @Test func jsonKeysComeInTheDocumentedOrder() {
        let text = FindingsReport.json([Self.sample[0]])
        let keys = ["\"kind\"", "\"severity\"", "\"tenant\"", "\"tokens\"", "\"first_seen\"", "\"last_seen\"", "\"evidence\""]
        let positions = keys.compactMap { text.range(of: $0)?.lowerBound }
        #expect(positions.count == keys.count)
        #expect(positions == positions.sorted())
    }

    @Test func emptyJSONIsAnEmptyArray() {
        #expect(FindingsReport.json([]) == "[]\n")
    }

    @Test func tableHasAHeaderARowPerFindingAndASummary() {
        let text = FindingsReport.table(Self.sample, tokenWidth: 40)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("SEVERITY"))
        for column in ["KIND", "TENANT", "TOKENS", "FIRST SEEN", "LAST SEEN", "EVIDENCE"] {
            #expect(lines[0].contains(column))
        }
        #expect(lines[1].hasPrefix("critical"))
        #expect(lines[1].contains("2026-11-29T00:00:00.000Z"))
        #expect(lines[1].contains("2026-11-29T00:03:00.000Z"))
        #expect(lines[1].contains("0b8f0a2c-1111-4e5f-9a7b-2c3d4e5f6a7b +2"))
        #expect(lines[3] == "2 findings: 1 critical, 1 medium")
        // Columns line up: the kind column starts at the same offset on every line.
        let kindColumn = [("KIND", lines[0]), ("double_charge", lines[1]), ("weak_token", lines[2])].map { word, line in
            line.range(of: word).map { line.distance(from: line.startIndex, to: $0.lowerBound) }
        }
        #expect(kindColumn.allSatisfy { $0 != nil && $0 == kindColumn[0] })
    }

    @Test func tableElidesLongTokens() {
        let cell = FindingsReport.tokensCell(["abcdefghijklmnopqrstuvwxyz", "second"], width: 10)
        #expect(cell == "abcdefghi… +1")
        #expect(FindingsReport.tokensCell(["a", "b", "c"], width: 40) == "a, b, c")
        #expect(FindingsReport.tokensCell([], width: 10) == "-")
    }

    @Test func tableNeverWritesControlCharactersRaw() {
        let text = FindingsReport.table(Self.sample)
        #expect(!text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
        #expect(text.contains("shop\\x1b[31m"))
    }

    @Test func emptyTableSaysSo() {
        #expect(FindingsReport.table([]) == "No findings.\n")
    }

    @Test func exitCodeFollowsFailOn() {
        let medium = [Self.sample[1]]
        #expect(FindingsReport.exitCode(findings: Self.sample, failOn: nil) == 0)
        #expect(FindingsReport.exitCode(findings: [], failOn: .low) == 0)
        #expect(FindingsReport.exitCode(findings: medium, failOn: .low) == 4)
        #expect(FindingsReport.exitCode(findings: medium, failOn: .medium) == 4)
        #expect(FindingsReport.exitCode(findings: medium, failOn: .high) == 0)
        #expect(FindingsReport.exitCode(findings: Self.sample, failOn: .critical) == 4)
    }
}
