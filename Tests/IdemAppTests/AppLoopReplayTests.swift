import Foundation
import IdemActions
import IdemApp
import IdemCore
import IdemFakes
import IdemStore
import IdemUI
import Testing

/// A replay from the dashboard on the real loop: the exchange runs on a worker, and quitting waits for its admin
/// event.
@Suite struct AppLoopReplayTests {
    @Test func quittingDuringAReplayWaitsForItsAdminEvent() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("idemtop-replay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let location = JournalDriver.location(dir.appendingPathComponent("r.jsonl").path)
        let clock = ManualClock(AppLoopTests.start)
        let writer = try StoreRegistry.files.writer(location, policy: .standard, clock: clock, create: true)
        let request = StoredRequest(method: "POST", path: "/v1/charges", headers: ["Content-Type": "application/json"],
                                    body: #"{"amount":100,"currency":"eur"}"#)
        guard case .execute(let ticket, _) = try writer.begin(
            tenant: "shop", token: "done-1", operation: "POST /v1/charges",
            fingerprint: Fingerprint(String(repeating: "ab", count: 32)), request: request)
        else { Issue.record("expected an execution"); return }
        try writer.complete(ticket, response: StoredResponse(status: 201, body: #"{"id":"ch_1"}"#))
        // The target keeps its own store, where the token is new: it executes, taking its 600 ms of work. A child
        // process, not the in-process server: that one needs Swift concurrency threads, which this blocking test and
        // the others running beside it can all hold (two on two cores), and the replay then never gets an answer.
        let target = try ExampleServiceProcess(store: JournalDriver.location(dir.appendingPathComponent("t.jsonl").path),
                                               arguments: ["--work-ms", "600"])
        defer { target.stop() }
        var options = DashboardOptions(clock: clock)
        options.replayTarget = target.url.absoluteString
        // The binary waits 3 s; a loaded test machine may need longer for the 600 ms exchange.
        options.quitWait = 120
        let ui = DashboardDriver(reader: try StoreRegistry.files.reader(location), clock: clock, width: 100, height: 30,
                                 options: options, registry: .files)
        ui.pump()
        ui.terminal.enqueue([.key(.char("r")), .key(.escape), .key(.char("q"))])
        #expect(ui.settle(until: { ui.quit }))
        ui.loop.shutDown()
        var replays: [StoreEvent] = []
        _ = try StoreRegistry.files.reader(location).poll(limit: 100, { if $0.kind == .replay { replays.append($0) } },
                                                           malformed: { _ in })
        #expect(replays.count == 1)
        #expect(replays.first?.resultStatus == 201 && replays.first?.target == target.url.absoluteString)
    }
}
