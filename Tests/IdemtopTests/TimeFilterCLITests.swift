import Foundation
import IdemCore
import IdemFakes
import Testing

/// `list --filter` with time and body terms gives the dashboard's answers (the same `TimeFixture` cases) on both
/// file stores.
@Suite struct TimeFilterCLITests {
    func listed(_ store: String, _ filter: String) throws -> Set<String> {
        let r = try CLIRunner.run(["list", store, "--filter", filter, "--at", TimeFixture.now.rfc3339, "--format", "json"])
        #expect(r.code == 0, "\(filter): \(r.stderr)")
        let items = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]] ?? []
        return Set(items.compactMap { $0["token"] as? String })
    }

    @Test(arguments: ["time.jsonl", "time.db"]) func listAgreesWithTheDashboard(_ name: String) throws {
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent(name).path
        if name.hasSuffix(".db") { try TimeFixture.writeSQLite(store) } else { try TimeFixture.writeJournal(store) }
        for (filter, expected) in TimeFixture.cases + TimeFixture.bodyCases {
            #expect(try listed(store, filter) == expected, "\(name) \(filter)")
        }
    }

    @Test func purgeFilterTakesTheSameTerms() throws {
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("time.jsonl").path
        try TimeFixture.writeJournal(store)
        let r = try CLIRunner.run(["purge", store, "--filter", "at:07:14..07:15 body:cus_alpha", "--reason", "test",
                                   "--dry-run", "--at", TimeFixture.now.rfc3339])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stdout.contains("t-start"))
        #expect(!r.stdout.contains("t-end"))
        let bad = try CLIRunner.run(["list", store, "--filter", "at:07:14..soon"])
        #expect(bad.code != 0)
        #expect(bad.stderr.contains("at needs a time or a window"))
    }
}
