import Foundation
import IdemApp
import IdemCore
import IdemFakes
import IdemStore
import IdemUI
import Testing

/// Several stores in one view: one ledger whose records keep their store, a STORE column, the `store:` term, and
/// every action sent to the record's own store.
@Suite struct MultiStoreTests {
    static let fp = Fingerprint(String(repeating: "ab", count: 32))

    /// Two journals holding the same tenant and token (a stuck one each), and one token of their own each.
    static func twoJournals(_ dir: URL, clock: ManualClock) throws -> [StoreLocation] {
        let names = ["eu.jsonl", "us.jsonl"]
        return try names.map { name in
            let location = JournalDriver.location(dir.appendingPathComponent(name).path)
            let writer = try StoreRegistry.files.writer(location, policy: .standard, clock: clock, create: true)
            _ = try writer.begin(tenant: "acme", token: "same-1", operation: "POST /v1/charges", fingerprint: fp,
                                 request: nil)
            _ = try writer.begin(tenant: "acme", token: "only-\(name.prefix(2))", operation: "POST /v1/charges",
                                 fingerprint: fp, request: nil)
            return location
        }
    }

    @Test func theSameTokenInTwoStoresIsTwoRecords() {
        var ledger = Ledger()
        var e = StoreEvent(kind: .request, at: Instant(ms: 1000), tenant: "acme", token: "t", operation: "op",
                           fingerprint: MultiStoreTests.fp, outcome: .executed)
        ledger.apply(e)
        e.store = 1
        e.outcome = .executed
        ledger.apply(e)
        e.outcome = .replayed
        ledger.apply(e)
        #expect(ledger.count == 2 && ledger.storeCount == 2)
        #expect(ledger.record(TokenKey(tenant: "acme", token: "t"))?.hits == 0)
        #expect(ledger.record(TokenKey(tenant: "acme", token: "t", store: 1))?.hits == 1)
        #expect(ledger.indexes(token: "t").count == 2)
        #expect(ledger.key(of: ledger.records[1]) == TokenKey(tenant: "acme", token: "t", store: 1))
    }

    @Test func oneViewWithAStoreColumnAFilterTermAndPurgesToTheRecordsOwnStore() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("idemtop-multi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let clock = ManualClock(AppLoopTests.start)
        let locations = try MultiStoreTests.twoJournals(dir, clock: clock)
        clock.advance(.minutes(5))
        let terminal = TestTerminal(width: 120, height: 30)
        let loop = AppLoop(readers: try locations.map { try StoreRegistry.files.reader($0) }, terminal: terminal,
                           theme: BuiltinThemes.standard, options: DashboardOptions(clock: clock),
                           registry: .files)
        defer { loop.shutDown() }
        func settle(until: () -> Bool = { true }) -> Bool {
            let end = Date().addingTimeInterval(60)
            while Date() < end {
                loop.step()
                if terminal.unread == 0, loop.isSettled, until() { return true }
            }
            return false
        }
        loop.sync()
        #expect(settle())
        #expect(loop.state.ledger.count == 4)
        let screen = terminal.screen
        #expect(screen.contains("eu.jsonl, us.jsonl (2 stores)") && screen.contains("STORE"), "\(screen)")
        #expect(screen.split(separator: "\n").filter { $0.contains("same-1") && $0.contains(".jsonl") }.count == 2)

        // store:us keeps us.jsonl's two; d purges the selected one in us.jsonl only.
        terminal.enqueue(("/store:us token:same".map { .key(.char($0)) }) + [.key(.enter)])
        #expect(settle(until: { loop.state.index.count == 1 }))
        #expect(terminal.screen.contains("us.jsonl") && terminal.screen.contains("same-1"))
        terminal.enqueue([.key(.char("d"))])
        #expect(settle(until: { loop.state.purgeDialog != nil }))
        #expect(terminal.screen.contains("store      us.jsonl"), "the dialog says which store")
        terminal.enqueue([.key(.tab), .key(.enter)])
        #expect(settle(until: { terminal.screen.contains("purged acme/same-1") }))
        func kinds(_ location: StoreLocation) throws -> [EventKind] {
            var out: [EventKind] = []
            _ = try StoreRegistry.files.reader(location).poll(limit: 100, { if $0.token == "same-1" { out.append($0.kind) } },
                                                               malformed: { _ in })
            return out
        }
        #expect(try kinds(locations[1]) == [.request, .purge])
        #expect(try kinds(locations[0]) == [.request], "the other store's same token is left alone")
    }

    @Test func theCommandsLoadSeveralStoresInTimeOrder() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("idemtop-multi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let clock = ManualClock(AppLoopTests.start)
        let locations = try MultiStoreTests.twoJournals(dir, clock: clock)
        var seen: [Instant] = []
        let loaded = try LoadedStore.load(locations, registry: .files, policy: .standard, observe: { seen.append($0.at) })
        #expect(loaded.ledger.count == 4 && loaded.ledger.storeNames == ["eu.jsonl", "us.jsonl"])
        #expect(seen == seen.sorted())
        let now = AppLoopTests.start + .minutes(5)
        let header = TokenRow.tableHeader(loaded.ledger)
        #expect(header.first == "STORE")
        let rows = loaded.ledger.records.map { TokenRow.cells($0, in: loaded.ledger, at: now) }
        #expect(Set(rows.map { $0[0] }) == ["eu.jsonl", "us.jsonl"])
        let filter = try Filter.parse("store:eu").get()
        #expect(filter.matchingRecords(in: loaded.ledger, at: now).count == 2)
        // The STORE column is the last to go on a narrow screen: it tells two rows of one token apart.
        for width in [80, 100, 120] {
            #expect(Column.layout(width: width, stores: true).contains { $0.0 == .store }, "at \(width) columns")
        }
        #expect(!Column.layout(width: 200).contains { $0.0 == .store }, "one store: no STORE column")
        // The detail says which store the token is in.
        let r = loaded.ledger.records[loaded.ledger.indexOf(TokenKey(tenant: "acme", token: "same-1", store: 1)) ?? 0]
        let content = DetailContent(key: loaded.ledger.key(of: r), request: nil, response: nil, error: nil, timeline: [])
        let lines = DetailBuilder.lines(content, record: r, ledger: loaded.ledger, now: now, secrets: .standard)
            .map { $0.map(\.text).joined() }
        #expect(lines.contains { $0.hasPrefix("store") && $0.hasSuffix("us.jsonl") }, "\(lines)")
    }
}

/// A payload executed under two tokens in two stores (one execution in each, so neither store alone shows it) is
/// found once the stores are read together, and the finding says it spans them.
@Suite struct CrossStoreFindingTests {
    @Test func aDoubleChargeAcrossTwoStoresIsReportedAsSuch() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("idemtop-cross-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let clock = ManualClock(AppLoopTests.start)
        var locations: [StoreLocation] = []
        for (name, token) in [("eu.jsonl", "retry-a"), ("us.jsonl", "retry-b")] {
            let location = JournalDriver.location(dir.appendingPathComponent(name).path)
            let writer = try StoreRegistry.files.writer(location, policy: .standard, clock: clock, create: true)
            if case .execute(let t, _) = try writer.begin(tenant: "umbrella", token: token, operation: "POST /v1/charges",
                                                          fingerprint: MultiStoreTests.fp, request: nil) {
                try writer.complete(t, response: StoredResponse(status: 201))
            }
            clock.advance(.seconds(20))
            locations.append(location)
        }
        func doubleCharges(_ locs: [StoreLocation]) throws -> [Finding] {
            var detector = FindingsDetector()
            let loaded = try LoadedStore.load(locs, registry: .files, policy: .standard, observe: { detector.observe($0) })
            return detector.report(at: clock.now(), ledger: loaded.ledger).0.filter { $0.kind == .doubleChargeSuspect }
        }
        #expect(try doubleCharges([locations[0]]).isEmpty && doubleCharges([locations[1]]).isEmpty)
        let found = try doubleCharges(locations)
        #expect(found.count == 1)
        let f = try #require(found.first)
        #expect(f.tokens == ["retry-a", "retry-b"] && f.stores == [0, 1])
        #expect(f.evidence.contains("across stores eu.jsonl, us.jsonl"), "\(f.evidence)")
        #expect(f.key(1) == TokenKey(tenant: "umbrella", token: "retry-b", store: 1))
    }
}
