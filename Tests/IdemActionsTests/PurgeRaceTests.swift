import Foundation
import IdemActions
import IdemCore
import IdemStore
import Testing

/// Purges racing a live service in another process: the compare-and-set never lets a purge that read an older
/// state wipe out what the service wrote since, and a refused purge writes nothing.
@Suite(.serialized) struct PurgeRaceTests {
    /// A flag and counters shared by the traffic threads.
    final class Traffic: Sendable {
        private let stopped = Locked(false)
        private let counts = Locked<(sent: Int, failures: [String])>((0, []))
        var isStopped: Bool { stopped.value }
        func stop() { stopped.withLock { $0 = true } }
        func count(_ error: String?) {
            counts.withLock {
                $0.sent += 1
                if let error, $0.failures.count < 5 { $0.failures.append(error) }
            }
        }
        var summary: (sent: Int, failures: [String]) { counts.value }
    }

    static func store(_ kind: String, in dir: String) -> StoreLocation {
        StoreLocation(kind: kind, path: dir + (kind == JournalDriver.kind ? "/race.jsonl" : "/race.db"))
    }

    @Test(arguments: [JournalDriver.kind, SQLiteDriver.kind], [false, true])
    func purgesRacingTheServiceNeverLoseACompletion(_ kind: String, bulk: Bool) async throws {
        try await offPool { try Self.race(kind, bulk: bulk, checks: $0) }
    }

    static func race(_ kind: String, bulk: Bool, checks: Checks) throws {
        let dir = NSTemporaryDirectory() + "idemtop-race-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let location = Self.store(kind, in: dir)
        let service = try ExampleServiceProcess(store: location, arguments: ["--work-ms", "1", "--quiet"],
                                                logPath: dir + "/service.log")
        defer { service.stop() }

        // Four clients send charges with 12 tokens, over and over: executions, completions, replays, conflicts, and
        // after each purge an execution anew.
        let traffic = Traffic()
        let tokens = (0..<12).map { "race-\($0)" }
        let clients = DispatchGroup()
        for worker in 0..<4 {
            // Threads of their own: a blocked global-queue worker can starve URLSession's own queues on Linux.
            clients.enter()
            Thread {
                defer { clients.leave() }
                var i = worker
                while !traffic.isStopped {
                    let token = tokens[i % tokens.count]
                    i += 3
                    let request = StoredRequest(method: "POST", path: "/v1/charges",
                                                headers: ["Content-Type": "application/json"],
                                                body: #"{"amount":\#(100 + token.count),"currency":"eur"}"#)
                    do {
                        let plan = try ReplayPlan(key: TokenKey(tenant: "example", token: token), request: request,
                                                  options: ReplayOptions(target: service.url.absoluteString))
                        let answer = try ReplayClient.sendBlocking(plan, timeout: 10)
                        traffic.count([200, 201, 409].contains(answer.status) ? nil : "status \(answer.status)")
                    } catch {
                        traffic.count("\(error)")
                    }
                }
            }.start()
        }
        defer {
            traffic.stop()
            clients.wait()
        }

        // The operator side, in this process: look (sometimes a little late), then purge what it saw.
        checks.expect(eventually { ((try? Data(contentsOf: URL(fileURLWithPath: location.path)))?.count ?? 0) > 0 })
        let reader = try StoreRegistry.files.reader(location)
        var view = Ledger()
        let actions = TokenActions(location: location, registry: .files, readOnly: false, actor: "race@test")
        var granted = 0, refused = 0, attempts = 0, looks = 0
        let started = Date()
        // Thousands of purge attempts and a busy service, however loaded the machine is (within 40 s).
        while (attempts < 2000 || traffic.summary.sent < 150 || Date().timeIntervalSince(started) < 1.5)
            && Date().timeIntervalSince(started) < 40 {
            looks += 1
            if looks % 3 == 1 {
                _ = try reader.poll(limit: .max, { view.apply($0) }, malformed: { _ in })
            }
            guard !view.records.isEmpty else { usleep(1000); continue }
            let now = SystemClock().now()
            let outcomes: [PurgeOutcome]
            if bulk {
                // A bulk purge of everything the operator saw, in small batches under one lock each.
                let targets = view.records.map { PurgeTarget(record: $0, in: view, at: now) }
                outcomes = try actions.purge(targets, reason: "race bulk \(attempts)", batchSize: 5)
            } else {
                let record = view.records[Int.random(in: 0..<view.records.count)]
                let key = TokenKey(tenant: view.tenant(of: record), token: record.token)
                outcomes = [try actions.purge(key, expect: PurgeExpectation(record: record, at: now),
                                              reason: "race \(attempts)")]
            }
            attempts += outcomes.count
            for outcome in outcomes {
                switch outcome {
                case .purged: granted += 1
                case .refused: refused += 1
                }
            }
            // An operator's pace, fast: a tight loop would hold the store's lock nearly all the time and starve the
            // service (flock and SQLite's busy handler are not fair queues).
            usleep(1000)
        }
        traffic.stop()
        clients.wait()
        service.stop()
        let (sent, failures) = traffic.summary
        checks.expect(failures.isEmpty, "client failures: \(failures)")
        checks.expect(sent > 100, "the service took only \(sent) requests: \(service.log().suffix(2000))")
        checks.expect(granted + refused == attempts && granted > 0 && refused > 0, "granted \(granted), refused \(refused) of \(attempts)")

        // Fold the whole store again and check every purge and completion against the state just before it.
        let check = try StoreRegistry.files.reader(location)
        var ledger = Ledger()
        var purges = 0, completions = 0, stale = 0, lostCompletions = 0
        _ = try check.poll(limit: .max, { e in
            let before = ledger.record(e.key)
            switch e.kind {
            case .purge:
                purges += 1
                if before.map({ Int($0.version) != e.sawVersion || $0.stored == .purged }) ?? true { stale += 1 }
            case .completed:
                completions += 1
                if before?.stored != .inProgress { lostCompletions += 1 }
            default: break
            }
            ledger.apply(e)
        }, malformed: { m in checks.record("malformed \(m)") })
        checks.expect(stale == 0, "purges that went through on a state older than the store's")
        checks.expect(lostCompletions == 0, "completions written onto a purged or finished record")
        checks.expect(purges == granted, "every refused purge wrote nothing: \(purges) purge events for \(granted) granted")
        checks.expect(completions > 0)
        print("race \(kind)\(bulk ? " bulk" : ""): \(attempts) attempts, \(granted) granted, \(refused) refused, \(sent) requests, \(completions) completions")
    }
}

/// Polls `condition` until it holds or `seconds` pass.
func eventually(_ seconds: Double = 10, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: 0.02)
    }
    return try condition()
}
