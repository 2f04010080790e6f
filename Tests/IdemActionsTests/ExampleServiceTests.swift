import Foundation
import IdemActions
import IdemCore
import IdemExampleService
import IdemSimulator
import IdemStore
import Testing

/// The example service in-process and as a child, driven over HTTP by the traffic driver.
@Suite(.serialized) struct ExampleServiceTests {
    static func tempDir() throws -> String {
        let dir = NSTemporaryDirectory() + "idemtop-service-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func ledger(_ location: StoreLocation) throws -> Ledger {
        let reader = try StoreRegistry.files.reader(location)
        var ledger = Ledger()
        while try reader.poll(limit: 10_000, { ledger.apply($0) }, malformed: { _ in }) > 0 {}
        return ledger
    }

    /// The service runs as its own process here: in-process, its async server shares the test runner's two
    /// cooperative threads with every other test running at the same time, and can starve under load.
    @Test func theIETFAnswers() async throws {
        try await offPool { try Self.answers(checks: $0) }
    }

    static func answers(checks: Checks) throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let location = StoreLocation(kind: SQLiteDriver.kind, path: dir + "/answers.db")
        let service = try ExampleServiceProcess(store: location, arguments: ["--work-ms", "1"])
        defer { service.stop() }
        checks.expect(service.url.absoluteString.hasPrefix("http://127.0.0.1:"))
        let body = StoredRequest(method: "POST", path: "/v1/refunds", headers: ["Content-Type": "application/json"],
                                 body: #"{"amount":5,"charge":"ch_1"}"#)
        func send(_ request: StoredRequest, token: String) throws -> ReplayAnswer {
            let plan = try ReplayPlan(key: TokenKey(tenant: "x", token: token), request: request,
                                      options: ReplayOptions(target: service.url.absoluteString))
            return try ReplayClient.sendBlocking(plan, timeout: 20)
        }
        let first = try send(body, token: "r1")
        checks.expect(first.status == 200 && first.header("Idempotent-Replayed") == nil, "\(first)")
        let again = try send(body, token: "r1")
        checks.expect(again.status == 200 && again.header("Idempotent-Replayed") == "true" && again.body == first.body, "\(again)")
        var other = body
        other.body = #"{"amount":6,"charge":"ch_1"}"#
        checks.expect(try send(other, token: "r1").status == 422)
        var wrongRoute = body
        wrongRoute.path = "/v1/nothing"
        checks.expect(try send(wrongRoute, token: "r2").status == 404)
        let ledger = try Self.ledger(location)
        checks.expect(ledger.counts[.executed] == 1 && ledger.counts[.replayed] == 1 && ledger.counts[.mismatch] == 1, "\(ledger.counts)")
    }

    @Test(arguments: [JournalDriver.kind, SQLiteDriver.kind])
    func theDriverPlantsEveryMisuseThroughARealService(_ kind: String) async throws {
        try await offPool { try Self.drive(kind, checks: $0) }
    }

    static func drive(_ kind: String, checks: Checks) throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let location = StoreLocation(kind: kind, path: dir + (kind == JournalDriver.kind ? "/d.jsonl" : "/d.db"))
        let service = try ExampleServiceProcess(store: location,
                                                arguments: ["--work-ms", "40", "--lock-timeout", "1s", "--quiet"],
                                                logPath: dir + "/service.log")
        defer { service.stop() }
        let driver = HTTPTrafficDriver(config: HTTPTrafficDriver.Config(baseURL: service.url, seed: 3, rate: 60))
        // Until every kind was played and answered (at most 30 s on a loaded machine).
        let summary = driver.run(duration: 30, shouldStop: { [driver] in
            let now = driver.current
            return Set(now.scenarios.keys) == Set(HTTPTrafficDriver.Kind.allCases) && now.requests >= 150
                && [409, 422, 500, 502].allSatisfy { now.byStatus[$0] ?? 0 > 0 }
        })
        checks.expect(summary.failures.isEmpty, "\(summary.failures)")
        checks.expect(Set(summary.scenarios.keys) == Set(HTTPTrafficDriver.Kind.allCases), "\(summary.scenarios)")
        for status in [409, 422, 500, 502] { checks.expect(summary.byStatus[status] ?? 0 > 0, "no \(status): \(summary.byStatus)") }

        let ledger = try Self.ledger(location)
        for outcome in [Outcome.executed, .replayed, .mismatch, .conflict] {
            checks.expect(ledger.counts[outcome] > 0, "no \(outcome)")
        }
        checks.expect(ledger.counts[.failed] > 0)
        let later = SystemClock().now() + .seconds(2)
        checks.expect(ledger.records.contains { $0.status(at: later) == .stuck }, "crashed requests leave stuck tokens")
    }

    @Test(arguments: [JournalDriver.kind, SQLiteDriver.kind])
    func aStuckTokenPurgedThenReplayedCompletes(_ kind: String) async throws {
        try await offPool { try Self.stuckThenPurgedThenReplayed(kind, checks: $0) }
    }

    static func stuckThenPurgedThenReplayed(_ kind: String, checks: Checks) throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let location = StoreLocation(kind: kind, path: dir + (kind == JournalDriver.kind ? "/s.jsonl" : "/s.db"))
        let service = try ExampleServiceProcess(store: location, arguments: ["--work-ms", "1", "--lock-timeout", "300ms"],
                                                logPath: dir + "/service.log")
        defer { service.stop() }
        let request = StoredRequest(method: "POST", path: "/v1/charges",
                                    headers: ["Content-Type": "application/json", "X-Tenant": "shop", "X-Demo-Crash": "1"],
                                    body: #"{"amount":990,"currency":"eur"}"#)
        let key = TokenKey(tenant: "shop", token: "crashed-1")
        let crash = try ReplayClient.sendBlocking(
            try ReplayPlan(key: key, request: request, options: ReplayOptions(target: service.url.absoluteString)), timeout: 10)
        checks.expect(crash.status == 500, "\(crash)")

        // The operator sees it stuck, purges it, and replays the stored request: it executes anew and completes.
        Thread.sleep(forTimeInterval: 0.4)
        let now = SystemClock().now()
        let record = try Self.ledger(location).record(key)
        checks.expect(record?.status(at: now) == .stuck, "\(String(describing: record))")
        guard let record else { return }
        let actions = TokenActions(location: location, registry: .files, readOnly: false, actor: "ops@test")
        let outcome = try actions.purge(key, expect: PurgeExpectation(record: record, at: now), reason: "crashed")
        checks.expect(outcome.isPurged, "\(outcome)")
        let reader = try StoreRegistry.files.reader(location)
        while try reader.poll(limit: 10_000, { _ in }, malformed: { _ in }) > 0 {}
        let detail = try reader.detail(for: key)
        checks.expect(detail.request?.headers["X-Demo-Crash"] == nil, "the fault header is not stored")
        let result = try actions.replayBlocking(key, request: detail.request, stored: detail.response,
                                                options: ReplayOptions(target: service.url.absoluteString))
        checks.expect(result.answer.status == 201 && result.replayedHeader == nil, "\(result.answer)")
        checks.expect(result.stored == nil && !result.bodiesMatch)
        checks.expect(result.event?.resultStatus == 201 && result.recordError == nil)
        let after = try Self.ledger(location)
        checks.expect(after.record(key)?.stored == .completed && after.record(key)?.executions == 2)
        checks.expect(after.counts[.purge] == 1 && after.counts[.replay] == 1)
    }
}

extension PurgeOutcome {
    var isPurged: Bool { if case .purged = self { return true } else { return false } }
}
