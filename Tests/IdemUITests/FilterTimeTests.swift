import Foundation
import IdemCore
import IdemFakes
import IdemStore
import IdemUI
import Testing

/// The time terms at their edges and `body:` on both file stores, read through their drivers.
@Suite struct FilterTimeTests {
    func tokens(_ s: AppState) -> Set<String> { Set(s.index.rows.map { s.ledger.records[Int($0)].token }) }

    func store(_ kind: String, in dir: String) throws -> StoreLocation {
        if kind == "journal" {
            let path = dir + "/time.jsonl"
            try TimeFixture.writeJournal(path)
            return JournalDriver.location(path)
        }
        let path = dir + "/time.db"
        try TimeFixture.writeSQLite(path)
        return SQLiteDriver.location(path)
    }

    func tempDir() throws -> String {
        let dir = NSTemporaryDirectory() + "idemtop-filtertime-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test(arguments: ["journal", "sqlite"]) func timeTermsAtTheirEdges(_ kind: String) throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var s = try TimeFixture.state(reading: try store(kind, in: dir))
        #expect(s.ledger.count == 6)
        for (filter, expected) in TimeFixture.cases {
            let ok = s.setFilter(filter)
            #expect(ok, "\(filter): \(s.filterError ?? "")")
            s.reindex()
            #expect(tokens(s) == expected, "\(kind) \(filter)")
        }
    }

    @Test(arguments: ["journal", "sqlite"]) func bodySearchFindsRequestAndResponseBodies(_ kind: String) throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let location = try store(kind, in: dir)
        let searcher = try BodySearch.searcher(for: location).get()
        var calls = 0
        let found = try searcher.search("cus_alpha") { _, _ in calls += 1; return true }
        #expect(Set(found.map(\.token)) == ["t-start", "t-end"])
        #expect(calls >= 2)
        #expect(throws: BodySearchCancelled.self) { _ = try searcher.search("cus_alpha") { _, _ in false } }
        for (filter, expected) in TimeFixture.bodyCases {
            let needles = try Filter.parse(filter).get().bodyNeedles
            var s = try TimeFixture.state(reading: location)
            let ok = s.setFilter(filter)
            #expect(ok)
            for n in needles { _ = s.update(.bodySearchFinished(needle: n, keys: try searcher.search(n) { _, _ in true })) }
            s.reindex()
            #expect(tokens(s) == expected, "\(kind) \(filter)")
        }
    }

    @Test func aKindWithoutBodySearchSaysSoInOneLine() {
        guard case .failure(let e) = BodySearch.searcher(for: StoreLocation(kind: "dynamodb", path: "dynamodb://t")) else {
            Issue.record("dynamodb searched bodies")
            return
        }
        #expect("\(e)".contains("body: is not supported for a dynamodb store"))
    }
}
