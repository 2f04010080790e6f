import Foundation
import IdemApp
import IdemCore
import IdemFakes
import IdemStore
import IdemUI
import Testing

/// The dashboard's one run loop, in process on the test terminal: the same code the binary runs.
@Suite struct AppLoopTests {
    static let start = Instant(rfc3339: "2026-11-29T06:00:00Z") ?? Instant(ms: 0)

    /// A memory store with `tokens` completed tokens (two events each), written on `clock`.
    static func store(tokens: Int, clock: ManualClock) throws -> MemoryStore {
        let store = MemoryStore(clock: clock, name: "loop.jsonl")
        for i in 0..<tokens {
            if case .execute(let ticket, _) = try store.begin(
                tenant: "acme", token: "tok-\(i)", operation: "POST /v1/charges",
                fingerprint: Fingerprint(String(repeating: "ab", count: 32)), request: nil) {
                try store.complete(ticket, response: StoredResponse(status: 201, body: "{}"))
            }
        }
        return store
    }

    @Test func keysAndFramesGoOnWhileAPollIsStuck() throws {
        let clock = ManualClock(AppLoopTests.start)
        let reader = GatedReader(try AppLoopTests.store(tokens: 30, clock: clock), gateAt: 2)
        defer { reader.release() }
        let ui = DashboardDriver(reader: reader, clock: clock, width: 100, height: 30)
        #expect(ui.settle(until: { ui.screen.contains("tok-29") }))
        // The feed's second poll now hangs, as on a DynamoDB endpoint that accepts and never answers.
        #expect(reader.waitUntilBlocked())
        let framesBefore = ui.terminal.paints
        ui.press(.char("?"))
        #expect(ui.screen.contains("help"))
        ui.press(.escape, .char("j"), .char("j"))
        #expect(ui.state.cursor == 2)
        #expect(ui.terminal.paints > framesBefore)
        #expect(reader.isBlocked, "the keys were answered while the store's poll was still stuck")
        reader.release()
    }

    @Test func theHeaderShowsProgressWhileTheStoreLoads() throws {
        let clock = ManualClock(AppLoopTests.start)
        // 60,000 events: the first poll reads a full batch of 50,000, the second waits at the gate.
        let reader = GatedReader(try AppLoopTests.store(tokens: 30_000, clock: clock), gateAt: 2)
        defer { reader.release() }
        let ui = DashboardDriver(reader: reader, clock: clock, width: 120, height: 30)
        #expect(ui.settle(until: { ui.state.load?.done == 50_000 && reader.isBlocked && ui.screen.contains("loading 83%") }))
        let load = try #require(ui.state.load)
        #expect(!load.finished && load.done == 50_000 && load.total == 60_000)
        #expect(ui.screen.contains("◌ loading 83%"))
        reader.release()
        #expect(ui.settle(until: { ui.state.load?.finished == true && ui.screen.contains("live") }))
        #expect(ui.state.ledger.count == 30_000)
    }

    @Test func aBurstOfKeysIsAppliedWholeAndPaintedAtTheFrameCap() throws {
        let clock = ManualClock(AppLoopTests.start)
        let ui = DashboardDriver(reader: try AppLoopTests.store(tokens: 400, clock: clock), clock: clock)
        ui.pump()
        let paints = ui.terminal.paints
        let began = Date()
        ui.terminal.enqueue(Array(repeating: .key(.char("j")), count: 300))
        #expect(ui.settle())
        let elapsed = Date().timeIntervalSince(began)
        #expect(ui.state.cursor == 300)
        // At most one frame per 33 ms (plus the one in progress): 300 keys never mean 300 frames.
        let frames = ui.terminal.paints - paints
        #expect(frames >= 1 && Double(frames) <= elapsed / 0.033 + 2, "\(frames) frames in \(elapsed) s")
        #expect(ui.screen.contains("tok-"))
    }

    @Test func eventsWrittenWhileRunningArriveInBatchesAndRepaintCapped() throws {
        let clock = ManualClock(AppLoopTests.start)
        let store = try AppLoopTests.store(tokens: 10, clock: clock)
        let ui = DashboardDriver(reader: store, clock: clock)
        ui.pump()
        let paints = ui.terminal.paints
        let began = Date()
        for i in 10..<2010 {
            if case .execute(let t, _) = try store.begin(tenant: "acme", token: "tok-\(i)", operation: "POST /v1/charges",
                                                         fingerprint: Fingerprint(String(repeating: "cd", count: 32)),
                                                         request: nil) {
                try store.complete(t, response: StoredResponse(status: 201, body: "{}"))
            }
            if i % 100 == 0 { ui.loop.step() }
        }
        ui.pump()
        let elapsed = Date().timeIntervalSince(began)
        #expect(ui.state.ledger.count == 2010)
        let frames = ui.terminal.paints - paints
        #expect(Double(frames) <= elapsed / 0.033 + 2, "\(frames) frames in \(elapsed) s")
    }

    @Test func aPurgeRunsOnAWorkerAndItsAnswerComesBack() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("idemtop-loop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let location = JournalDriver.location(dir.appendingPathComponent("p.jsonl").path)
        let clock = ManualClock(AppLoopTests.start)
        let writer = try StoreRegistry.files.writer(location, policy: .standard, clock: clock, create: true)
        _ = try writer.begin(tenant: "acme", token: "stuck-1", operation: "POST /v1/charges",
                             fingerprint: Fingerprint(String(repeating: "ab", count: 32)), request: nil)
        clock.advance(.minutes(5))
        let ui = DashboardDriver(reader: try StoreRegistry.files.reader(location), clock: clock,
                                 options: DashboardOptions(clock: clock), registry: .files)
        ui.pump()
        #expect(ui.screen.contains("stuck-1"))
        ui.press(.char("d"))
        #expect(ui.screen.contains("Purge this token?"))
        ui.press(.tab, .enter)
        #expect(ui.settle(until: { ui.screen.contains("purged acme/stuck-1") }))
        // The worker wrote it through the store's own admin: a fresh reader sees the purge.
        var kinds: [EventKind] = []
        _ = try StoreRegistry.files.reader(location).poll(limit: 100, { kinds.append($0.kind) }, malformed: { _ in })
        #expect(kinds == [.request, .purge])
        ui.pump()
        #expect(ui.state.ledger.record(TokenKey(tenant: "acme", token: "stuck-1"))?.stored == .purged)
    }

    @Test func quittingLetsAnUnfinishedStoreGo() throws {
        let clock = ManualClock(AppLoopTests.start)
        let reader = GatedReader(try AppLoopTests.store(tokens: 3, clock: clock), gateAt: 1)
        defer { reader.release() }
        let ui = DashboardDriver(reader: reader, clock: clock)
        #expect(reader.waitUntilBlocked())
        ui.press(.char("q"))
        #expect(ui.quit)
        let began = Date()
        ui.loop.shutDown()
        #expect(Date().timeIntervalSince(began) < 10, "quitting does not wait for a stuck store")
    }
}

/// A store whose opening hangs (a DynamoDB endpoint that accepts and never answers): the dashboard is up and
/// answering keys at once, says it is loading, and shows the store once it opens.
@Suite struct SlowOpeningTests {
    @Test func aStoreThatTakesItsTimeToOpenLeavesTheKeysAnswering() throws {
        let clock = ManualClock(AppLoopTests.start)
        let store = try AppLoopTests.store(tokens: 5, clock: clock)
        let gate = Locked(false)
        let location = store.location
        let source = StoreSource(location: location, open: {
            let end = Date().addingTimeInterval(120)
            while !gate.value, Date() < end { usleep(2000) }
            return store
        })
        let terminal = TestTerminal(width: 100, height: 30)
        let loop = AppLoop(sources: [source], terminal: terminal, theme: BuiltinThemes.standard,
                           options: DashboardOptions(clock: clock), registry: .files)
        defer {
            gate.withLock { $0 = true }
            loop.shutDown()
        }
        func settle(until: () -> Bool) -> Bool {
            let end = Date().addingTimeInterval(60)
            while Date() < end {
                loop.step()
                if terminal.unread == 0, until() { return true }
            }
            return false
        }
        terminal.enqueue([.key(.char("?"))])
        #expect(settle(until: { terminal.screen.contains("idemtop › help") }))
        terminal.enqueue([.key(.escape)])
        #expect(settle(until: { terminal.screen.contains("◌ loading") }), "\(terminal.screen)")
        #expect(loop.state.ledger.count == 0 && !gate.value, "the keys were answered while the store was opening")
        gate.withLock { $0 = true }
        #expect(settle(until: { loop.state.ledger.count == 5 && terminal.screen.contains("live") }))
    }
}
