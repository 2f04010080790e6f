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
    @Test func quittingDuringAReplayWaitsForItsAdminEvent() async throws {
        // Off the concurrency pool: the loop blocks this thread while it runs.
        let (quit, replays, target) = try await offPool { try Self.replayThenQuit() }
        #expect(quit)
        #expect(replays.count == 1)
        #expect(replays.first?.resultStatus == 201 && replays.first?.target == target)
    }

    /// Replays a completed token to a slow target, quits at once, and returns whether the loop stopped, the replay
    /// events in the store after it did, and the target's URL.
    static func replayThenQuit() throws -> (Bool, [StoreEvent], String) {
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
        else { throw StoreError.usage("expected an execution") }
        try writer.complete(ticket, response: StoredResponse(status: 201, body: #"{"id":"ch_1"}"#))
        // The target keeps its own store, where the token is new: it executes, taking its 600 ms of work.
        // A child process, so its serving never waits for this process's concurrency threads.
        let target = try ExampleServiceProcess(store: JournalDriver.location(dir.appendingPathComponent("t.jsonl").path),
                                               arguments: ["--work-ms", "600", "--quiet"], timeout: 60)
        defer { target.stop() }
        var options = DashboardOptions(clock: clock)
        options.replayTarget = target.url.absoluteString
        // The binary waits 3 s; a loaded test machine may need longer for the 600 ms exchange.
        options.quitWait = 120
        let ui = DashboardDriver(reader: try StoreRegistry.files.reader(location), clock: clock, width: 100, height: 30,
                                 options: options, registry: .files)
        ui.pump()
        // r plans it and asks; Tab, Enter sends it; Esc closes the panel while it is in flight; q quits at once.
        ui.press(.char("r"))
        _ = ui.settle(until: { ui.state.replayDialog != nil })
        ui.terminal.enqueue([.key(.tab), .key(.enter), .key(.escape), .key(.char("q"))])
        let quit = ui.settle(until: { ui.quit })
        ui.loop.shutDown()
        var replays: [StoreEvent] = []
        _ = try StoreRegistry.files.reader(location).poll(limit: 100, { if $0.kind == .replay { replays.append($0) } },
                                                           malformed: { _ in })
        return (quit, replays, target.url.absoluteString)
    }
}
