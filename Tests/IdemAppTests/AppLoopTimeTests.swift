import Foundation
import IdemApp
import IdemCore
import IdemFakes
import IdemStore
import IdemUI
import Testing

/// `:at` through the real loop and feed (the store read again on the feed's thread, then followed with no event
/// counted twice), and `body:` searched on a worker.
@Suite struct AppLoopTimeTests {
    func journal() throws -> (String, String) {
        let dir = NSTemporaryDirectory() + "idemtop-looptime-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/time.jsonl"
        try TimeFixture.writeJournal(path)
        return (dir, path)
    }

    func append(_ e: StoreEvent, to path: String) throws {
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? h.close() }
        try h.seekToEnd()
        try h.write(contentsOf: Data((EventLineEncoder.line(e) + "\n").utf8))
    }

    @Test func atReadsTheStoreAgainAndNowFollowsWithoutCountingTwice() throws {
        let (dir, path) = try journal()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let reader = try StoreRegistry.files.reader(JournalDriver.location(path))
        let ui = DashboardDriver(reader: reader, clock: ManualClock(TimeFixture.now), width: 120, height: 40)
        #expect(ui.pump())
        #expect(ui.state.ledger.count == 6)
        #expect(ui.type(":at 07:14"))
        #expect(ui.press(.enter))
        #expect(ui.settle(until: { ui.state.asOf != nil }))
        #expect(ui.pump())
        #expect(ui.state.asOf == TimeFixture.t("2026-11-28T07:14:00Z"))
        #expect(Set(ui.state.ledger.records.map(\.token)) == ["t-span", "t-before", "t-start"])
        #expect(ui.screen.contains("as of 07:14:00Z"))
        // A request written now is later than the instant: left out.
        var late = StoreEvent(kind: .request, at: TimeFixture.now, tenant: "umbrella", token: "t-span",
                              operation: "POST /v1/charges", outcome: .replayed)
        try append(late, to: path)
        #expect(ui.pump())
        #expect(ui.state.ledger.record(TokenKey(tenant: "umbrella", token: "t-span"))?.hits == 0)
        // Live again: every event once, the late one too.
        #expect(ui.type(":at now"))
        #expect(ui.press(.enter))
        #expect(ui.settle(until: { ui.state.asOf == nil && ui.state.ledger.count == 6 }))
        #expect(ui.pump())
        #expect(ui.state.ledger.record(TokenKey(tenant: "umbrella", token: "t-span"))?.hits == 2)
        late.at = TimeFixture.now + .seconds(1)
        try append(late, to: path)
        #expect(ui.pump())
        #expect(ui.state.ledger.record(TokenKey(tenant: "umbrella", token: "t-span"))?.hits == 3)
        #expect(ui.screen.contains("● live"))
    }

    @Test func bodySearchRunsOnAWorkerAndFiltersTheTable() throws {
        let (dir, path) = try journal()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let reader = try StoreRegistry.files.reader(JournalDriver.location(path))
        let ui = DashboardDriver(reader: reader, clock: ManualClock(TimeFixture.now), width: 120, height: 40)
        #expect(ui.pump())
        #expect(ui.type("/body:cus_alpha"))
        #expect(ui.press(.enter))
        #expect(ui.settle(until: { ui.state.bodySearch.found["cus_alpha"] != nil }))
        #expect(ui.pump())
        #expect(Set(ui.state.index.rows.map { ui.state.ledger.records[Int($0)].token }) == ["t-start", "t-end"])
        #expect(ui.screen.contains("2 of 6 tokens"))
    }
}
