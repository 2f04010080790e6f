import Foundation
import IdemActions
import IdemCore
import IdemStore
import Testing

/// Purge and replay from the dashboard, in a real terminal (tmux), against the real example service.
@Suite(.serialized) struct DashboardActionsEndToEndTests {
    func ledger(_ location: StoreLocation) throws -> Ledger {
        let reader = try StoreRegistry.files.reader(location)
        var ledger = Ledger()
        while try reader.poll(limit: 10_000, { ledger.apply($0) }, malformed: { _ in }) > 0 {}
        return ledger
    }

    func charge(_ url: URL, token: String, crash: Bool = false) throws -> Int {
        var headers = ["Content-Type": "application/json", "X-Tenant": "shop"]
        if crash { headers["X-Demo-Crash"] = "1" }
        let request = StoredRequest(method: "POST", path: "/v1/charges", headers: headers,
                                    body: #"{"amount":1250,"currency":"eur"}"#)
        let plan = try ReplayPlan(key: TokenKey(tenant: "shop", token: token), request: request,
                                  options: ReplayOptions(target: url.absoluteString))
        return try ReplayClient.sendBlocking(plan, timeout: 10).status
    }

    /// The example service beside the built binary, writing `location`, 5 ms of work per execution, plus `arguments`.
    func exampleService(_ location: StoreLocation, _ arguments: [String]) throws -> ExampleServiceProcess {
        try ExampleServiceProcess(
            executable: URL(fileURLWithPath: DashboardTmux.binary).deletingLastPathComponent()
                .appendingPathComponent("idemtop-example-service"),
            store: location, arguments: ["--work-ms", "5", "--quiet"] + arguments)
    }

    /// `r` opens the replay dialog on Cancel; Tab moves to Replay and Enter sends.
    func confirmReplay(_ t: DashboardTmux, sourceLocation: SourceLocation = #_sourceLocation) {
        t.send("r")
        t.waitFor(text: "Replay this request?", sourceLocation: sourceLocation)
        t.send("Tab")
        t.waitFor(text: "[ Replay ]", sourceLocation: sourceLocation)
        t.send("Enter")
    }

    @Test func purgeFromTheDialogAndReplayFromThePanel() throws {
        guard DashboardTmux.prerequisites() else { return }
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let location = StoreLocation(kind: JournalDriver.kind, path: dir.appendingPathComponent("live.jsonl").path)
        let service = try exampleService(location, ["--lock-timeout", "1s"])
        defer { service.stop() }
        #expect(try charge(service.url, token: "stuck-1", crash: true) == 500)
        #expect(try charge(service.url, token: "done-1") == 201)
        Thread.sleep(forTimeInterval: 1.1)

        let t = DashboardTmux()
        defer { t.stop() }
        t.startIdemtop(["ui", location.path, "--target", service.url.absoluteString])
        t.waitFor(text: "2 tokens")
        t.waitFor(text: "q quit")

        // The newest token (done-1) is selected: r, Tab, Enter replays it, the service answers from the store.
        confirmReplay(t)
        let replayed = t.waitFor(text: "recorded: replay by")
        #expect(replayed.contains("replayed shop/done-1"))
        #expect(replayed.range(of: #"Idempotent-Replayed\s+true"#, options: .regularExpression) != nil, "\(replayed)")
        #expect(replayed.contains("body: the same as the stored response"))
        t.send("Escape")
        t.waitFor("the panel to close") { !$0.contains("recorded: replay by") }

        // j selects stuck-1; d opens the dialog with the focus on Cancel, and Enter there purges nothing.
        t.send("j")
        t.send("d")
        let dialog = t.waitFor(text: "Purge this token?")
        for field in ["token      stuck-1", "tenant     shop", "operation  POST /v1/charges", "status     stuck",
                      "hits       0", "What will happen:", "[ Cancel ]"] {
            #expect(dialog.contains(field), "the dialog shows \(field):\n\(dialog)")
        }
        t.send("Enter")
        t.waitFor(text: "purge cancelled")
        #expect(try ledger(location).counts[.purge] == 0)

        // d, Tab to Purge, Enter: purged, with the admin event; the table shows it.
        t.send("d")
        t.waitFor(text: "Purge this token?")
        t.send("Tab")
        t.waitFor(text: "[ Purge ]")
        t.send("Enter")
        t.waitFor(text: "purged shop/stuck-1 (saw stuck")
        t.waitFor(text: "purged 1")  // the header's count, once the dashboard has read the purge back
        let after = try ledger(location)
        #expect(after.record(TokenKey(tenant: "shop", token: "stuck-1"))?.stored == .purged)
        #expect(after.counts[.purge] == 1 && after.counts[.replay] == 1)
        var events: [StoreEvent] = []
        _ = try StoreRegistry.files.reader(location).poll(limit: .max, { events.append($0) }, malformed: { _ in })
        let purge = try #require(events.first { $0.kind == .purge })
        #expect(purge.token == "stuck-1" && purge.sawStatus == .stuck && purge.actor?.contains("@") == true)
        #expect(purge.reason == "purged from the dashboard")
        #expect(events.contains { $0.kind == .replay && $0.token == "done-1" && $0.resultStatus == 201 })

        t.send("q")
        t.waitFor(text: "EXITED 0")
    }

    /// `D` over a filter in a real terminal: the dialog, the typed count, every shown token purged with its admin
    /// event, and the token the filter did not show left alone. A SQLite store written five minutes ago by the writer
    /// API: three executions that never finished (stuck now) and one completed charge.
    @Test func bulkPurgeOfWhatTheFilterShows() throws {
        guard DashboardTmux.prerequisites() else { return }
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let location = StoreLocation(kind: SQLiteDriver.kind, path: dir.appendingPathComponent("fleet.db").path)
        do {
            let clock = ManualClock(SystemClock().now() - .minutes(5))
            let writer = try StoreRegistry.files.writer(location, policy: .standard, clock: clock, create: true)
            for i in 1...3 {
                _ = try writer.begin(tenant: "shop", token: "crashed-\(i)", operation: "POST /v1/charges",
                                     fingerprint: Fingerprint("p\(i)"), request: nil)
            }
            if case .execute(let ticket, _) = try writer.begin(tenant: "shop", token: "done-1", operation: "POST /v1/charges",
                                                               fingerprint: Fingerprint("d"), request: nil) {
                try writer.complete(ticket, response: StoredResponse(status: 201, body: "{}"))
            }
        }
        let t = DashboardTmux()
        defer { t.stop() }
        t.startIdemtop(["ui", location.path])
        t.waitFor(text: "stuck 3")
        t.send("D")
        t.waitFor(text: "set a filter first")
        t.send("/")  // moves on from the error, which would hide the filter's count
        t.type("status:stuck")
        t.send("Enter")
        t.waitFor(text: "3 of 4 tokens")
        t.send("D")
        let dialog = t.waitFor(text: "Purge 3 tokens?")
        #expect(dialog.contains("statuses   stuck 3") && dialog.contains("Type 3 and Enter"), "\(dialog)")
        t.type("3")
        t.waitFor(text: "> 3_")
        t.send("Enter")
        t.waitFor(text: "purged 3 of 3 tokens by")
        t.waitFor(text: "purged 3")  // the header's count, once the dashboard has read the purges back
        t.send("q")
        t.waitFor(text: "EXITED 0")

        let after = try ledger(location)
        for i in 1...3 { #expect(after.record(TokenKey(tenant: "shop", token: "crashed-\(i)"))?.stored == .purged) }
        #expect(after.record(TokenKey(tenant: "shop", token: "done-1"))?.stored == .completed)
        var events: [StoreEvent] = []
        _ = try StoreRegistry.files.reader(location).poll(limit: .max, { events.append($0) }, malformed: { _ in })
        let purges = events.filter { $0.kind == .purge }
        #expect(purges.count == 3 && purges.allSatisfy {
            $0.sawStatus == .stuck && $0.reason == "bulk purge from the dashboard (filter: status:stuck)"
        }, "\(purges)")
    }

    /// The header's clock, `HH:MM:SSZ`, as the dashboard draws it.
    func headerClock(_ screen: String) -> String? {
        guard let first = screen.split(separator: "\n").first,
              let r = first.range(of: #"\d\d:\d\d:\d\dZ"#, options: .regularExpression) else { return nil }
        return String(first[r])
    }

    /// The table row drawn in reverse video (the selection, in the monochrome theme).
    func selectedRow(_ escapes: String) -> String? {
        escapes.split(separator: "\n").first { $0.contains("\u{1b}[7m") && $0.contains("done-") }.map(String.init)
    }

    /// A dashboard store filled by a quick example service with `tokens`, and a slow service (`slowMs` of work per
    /// execution, over a store of its own that has never seen the tokens) as the replay target; the dashboard runs on
    /// the first with `--target` the second. The caller stops what comes back.
    /// A dashboard on a journal of completed `tokens`, whose replays go to a slow target: each execution there works
    /// `slowMs`, then goes on until the file `holdUntil` exists, so a test keeps a replay in flight for as long as it
    /// needs, however loaded the machine.
    func dashboardWithSlowTarget(_ dir: URL, tokens: [String], slowMs: Int, holdUntil: URL) throws
        -> (location: StoreLocation, quick: ExampleServiceProcess, slow: ExampleServiceProcess, tmux: DashboardTmux) {
        let executable = URL(fileURLWithPath: DashboardTmux.binary).deletingLastPathComponent()
            .appendingPathComponent("idemtop-example-service")
        let location = StoreLocation(kind: JournalDriver.kind, path: dir.appendingPathComponent("live.jsonl").path)
        let quick = try ExampleServiceProcess(executable: executable, store: location,
                                              arguments: ["--work-ms", "5", "--quiet"])
        for token in tokens { #expect(try charge(quick.url, token: token) == 201) }
        let slow = try ExampleServiceProcess(
            executable: executable, store: StoreLocation(kind: JournalDriver.kind, path: dir.appendingPathComponent("slow.jsonl").path),
            arguments: ["--work-ms", "\(slowMs)", "--hold-until", holdUntil.path, "--quiet"])
        let t = DashboardTmux()
        t.startIdemtop(["ui", location.path, "--target", slow.url.absoluteString], noColor: true)
        return (location, quick, slow, t)
    }

    @Test func slowReplayKeepsTheDashboardRunning() throws {
        guard DashboardTmux.prerequisites() else { return }
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Each replay of a token runs the slow target's work: at least 1 s, and on until the test releases it.
        let release = dir.appendingPathComponent("release")
        let (location, quick, slow, t) = try dashboardWithSlowTarget(dir, tokens: ["done-1", "done-2"], slowMs: 1000,
                                                                     holdUntil: release)
        defer { quick.stop(); slow.stop(); t.stop() }
        t.waitFor(text: "2 tokens")
        t.waitFor("done-2 selected") { _ in self.selectedRow(t.captureEscapes())?.contains("done-2") == true }

        // r (confirmed): the panel says at once what is in flight, and the screen goes on: the clock and the elapsed
        // time move.
        confirmReplay(t)
        let sent = t.waitFor(text: "replaying shop/done-2 to \(slow.url.absoluteString)")
        let clock = headerClock(sent)
        #expect(clock != nil, "\(sent)")
        t.waitFor("the clock to move while the replay is in flight", seconds: 30) {
            $0.contains("replaying shop/done-2") && self.headerClock($0) != clock
        }
        t.waitFor("the elapsed time to tick", seconds: 30) {
            $0.range(of: #"replaying shop/done-2 .*\([1-9]\d*s\)"#, options: .regularExpression) != nil
        }

        // A second r on the same token says it is in flight; j moves the selection under the panel.
        t.send("r")
        t.waitFor(text: "a replay of shop/done-2 is already in flight", seconds: 30)
        t.send("j")
        let moved = t.waitFor("j to move the selection while in flight", seconds: 30) { screen in
            screen.contains("replaying shop/done-2") && self.selectedRow(t.captureEscapes())?.contains("done-1") == true
        }
        #expect(!moved.contains("recorded: replay by"), "the answer came before j was seen:\n\(moved)")

        // A purge meanwhile still works; then the answer fills the panel.
        t.send("d")
        t.waitFor(text: "Purge this token?")
        t.send("Tab")
        t.waitFor(text: "[ Purge ]")
        t.send("Enter")
        t.waitFor(text: "purged shop/done-1", seconds: 30)
        #expect(!t.capture().contains("recorded: replay by"), "the replay is held until the release file exists")
        #expect(FileManager.default.createFile(atPath: release.path, contents: nil))
        let answered = t.waitFor(text: "recorded: replay by", seconds: 30)
        #expect(answered.contains("replayed shop/done-2"))
        #expect(answered.range(of: #"in [1-9]\d{3,} ms"#, options: .regularExpression) != nil, "\(answered)")
        #expect(!answered.contains("replaying shop/done-2"))
        t.send("Escape")
        t.waitFor("the panel to close") { !$0.contains("recorded: replay by") }
        t.send("q")
        t.waitFor(text: "EXITED 0")

        var events: [StoreEvent] = []
        _ = try StoreRegistry.files.reader(location).poll(limit: .max, { events.append($0) }, malformed: { _ in })
        #expect(events.contains { $0.kind == .replay && $0.token == "done-2" && $0.resultStatus == 201 })
        #expect(events.contains { $0.kind == .purge && $0.token == "done-1" })
    }

    /// Quitting while a replay is in flight waits for its answer, so the admin event is recorded.
    @Test func quittingWithAReplayInFlightStillRecordsIt() throws {
        guard DashboardTmux.prerequisites() else { return }
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let release = dir.appendingPathComponent("release")
        let (location, quick, slow, t) = try dashboardWithSlowTarget(dir, tokens: ["late-1"], slowMs: 100,
                                                                     holdUntil: release)
        defer { quick.stop(); slow.stop(); t.stop() }
        t.waitFor(text: "1 tokens", seconds: 30)
        confirmReplay(t)
        t.waitFor(text: "replaying shop/late-1", seconds: 30)
        // The first q closes the in-flight panel (the replay goes on), the second quits: it waits for the answer,
        // which comes only once the test releases the slow target.
        t.send("q")
        t.waitFor("the panel to close", seconds: 30) { !$0.contains("replaying shop/late-1") }
        t.send("q")
        #expect(FileManager.default.createFile(atPath: release.path, contents: nil))
        t.waitFor(text: "EXITED 0", seconds: 30)
        var events: [StoreEvent] = []
        _ = try StoreRegistry.files.reader(location).poll(limit: .max, { events.append($0) }, malformed: { _ in })
        #expect(events.contains { $0.kind == .replay && $0.token == "late-1" && $0.resultStatus == 201 },
                "the replay answered after q was pressed is recorded")
    }

    @Test func readOnlyDashboardRefusesThePurgeAndLeavesTheFile() throws {
        guard DashboardTmux.prerequisites() else { return }
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("ro.jsonl").path
        let writer = try JournalWriter(path: path, clock: SystemClock(), create: true)
        _ = try writer.begin(tenant: "shop", token: "ro-1", operation: "POST /v1/charges", fingerprint: Fingerprint("f"),
                             request: StoredRequest(method: "POST", path: "/v1/charges", body: "{}"))
        let before = try ActionsCLITests.Snapshot(path)

        let t = DashboardTmux()
        defer { t.stop() }
        t.startIdemtop(["ui", path, "--read-only", "--target", "http://127.0.0.1:9"])
        t.waitFor(text: "1 tokens")
        #expect(t.capture().components(separatedBy: "\n").first?.contains(" read-only ") == true, "the header says it")
        // d, r and D refuse at once, naming where read-only came from: no dialog first.
        let refusal = "read-only (--read-only): purge and replay are refused"
        t.send(":")
        t.type("filter ro")
        t.send("Enter")
        for key in ["d", "r", "D"] {
            t.send("Escape")
            t.waitFor("the last notice to go") { !$0.contains(refusal) }
            t.send(key)
            let screen = t.waitFor(text: refusal)
            #expect(!screen.contains("Purge this token?") && !screen.contains("Replay this request?")
                    && !screen.contains("Purge 1 token?"), "\(key) opens no dialog:\n\(screen)")
        }
        t.send("q")
        t.waitFor(text: "EXITED 0")
        #expect(try ActionsCLITests.Snapshot(path) == before, "the store's bytes and mtime are unchanged")
    }

    /// A replay asks first: `r` then Esc sends nothing (the service sees no request), and on an expired token the
    /// dialog says the service will EXECUTE the request again before Tab, Enter sends it (a new charge).
    @Test func replayAsksFirstAndWarnsWhenTheServiceWouldExecuteAgain() throws {
        guard DashboardTmux.prerequisites() else { return }
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let location = StoreLocation(kind: JournalDriver.kind, path: dir.appendingPathComponent("live.jsonl").path)
        let service = try exampleService(location, ["--retention", "1s"])
        defer { service.stop() }
        #expect(try charge(service.url, token: "old-1") == 201)
        #expect(eventually(10) { (try? self.ledger(location))?.records.first?.status(at: SystemClock().now()) == .expired })
        let before = try ActionsCLITests.Snapshot(location.path)

        let t = DashboardTmux()
        defer { t.stop() }
        t.startIdemtop(["ui", location.path, "--target", service.url.absoluteString])
        t.waitFor(text: "1 tokens")
        t.waitFor(text: "expired 1")

        // r, then Esc: nothing sent, the service wrote nothing.
        t.send("r")
        let dialog = t.waitFor(text: "Replay this request?")
        for field in ["method     POST", "url        \(service.url.absoluteString)/v1/charges",
                      "header     Idempotency-Key: old-1", "status     expired", "[ Cancel ]"] {
            #expect(dialog.contains(field), "the dialog shows \(field):\n\(dialog)")
        }
        #expect(dialog.contains("the service will EXECUTE this request again"), "\(dialog)")
        t.send("Escape")
        t.waitFor(text: "replay cancelled: nothing was sent")
        #expect(try ActionsCLITests.Snapshot(location.path) == before, "the service saw no request")

        // r, Tab, Enter: the warning is up before the request goes; then the service executes it again.
        t.send("r")
        t.waitFor(text: "the service will EXECUTE this request again")
        t.send("Tab")
        let focused = t.waitFor(text: "[ Replay ]")
        #expect(focused.contains("the service will EXECUTE this request again"))
        #expect(try ActionsCLITests.Snapshot(location.path) == before, "nothing is sent before Enter")
        t.send("Enter")
        t.waitFor(text: "recorded: replay by")
        let after = try ledger(location)
        #expect(after.counts[.reexecuted] == 1 && after.counts[.replay] == 1, "\(after.counts)")
        t.send("Escape")
        t.send("q")
        t.waitFor(text: "EXITED 0")
    }
}
