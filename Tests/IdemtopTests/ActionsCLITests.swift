import Foundation
import IdemActions
import IdemCore
import IdemProcess
import IdemStore
import Testing

/// `idemtop purge` and `idemtop replay` as the real binary, against the real example service on loopback.
@Suite(.serialized) struct ActionsCLITests {
    static let stores = ["journal.jsonl", "store.db"]

    /// A file's bytes and modification time, to prove an action left it alone.
    struct Snapshot: Equatable {
        var bytes: Data
        var modified: Date?
        init(_ path: String) throws {
            bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            modified = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
        }
    }

    /// The events of one token as `show --format json` prints its timeline.
    func timeline(_ store: String, _ token: String) throws -> [[String: Any]] {
        let r = try CLIRunner.run(["show", store, token, "--format", "json"])
        #expect(r.code == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        return try #require(object["timeline"] as? [[String: Any]])
    }

    /// The example service beside the built binary, over `store`, its log in `dir`.
    func startService(_ store: String, in dir: URL) throws -> ExampleServiceProcess {
        try ExampleServiceProcess(executable: CLIRunner.binary.deletingLastPathComponent()
                                      .appendingPathComponent("idemtop-example-service"),
                                  store: try StoreRegistry.files.location(parsing: store), arguments: ["--work-ms", "5"],
                                  logPath: dir.appendingPathComponent("service.log").path)
    }

    /// Sends one charge straight to the service, as a client would.
    func charge(_ url: URL, token: String, amount: Int = 4200) throws -> ReplayAnswer {
        let request = StoredRequest(method: "POST", path: "/v1/charges",
                                    headers: ["Content-Type": "application/json", "Authorization": "Bearer sk_live_cli",
                                              "X-Tenant": "shop"],
                                    body: #"{"amount":\#(amount),"currency":"eur","customer":"cus_1"}"#)
        var options = ReplayOptions(target: url.absoluteString)
        options.headers = [HeaderField(name: "Authorization", value: "Bearer sk_live_cli")]
        let plan = try ReplayPlan(key: TokenKey(tenant: "shop", token: token), request: request, options: options)
        return try ReplayClient.sendBlocking(plan, timeout: 10)
    }

    @Test(arguments: stores)
    func replayAgainstTheServiceThenPurgeThenReplayAnew(_ name: String) throws {
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent(name).path
        let service = try startService(store, in: dir)
        defer { service.stop() }
        let url = service.url.absoluteString
        #expect(url.hasPrefix("http://127.0.0.1:"))
        let first = try charge(service.url, token: "order-1")
        #expect(first.status == 201)
        let firstBody = try #require(first.body)

        // --dry-run prints the exact request and sends nothing: the service sees no request, the store is unchanged.
        let before = try Snapshot(store)
        let logBefore = service.log()
        let dry = try CLIRunner.run(["replay", store, "order-1", "--target", url, "--dry-run"])
        #expect(dry.code == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("curl -sS -i -X POST"))
        #expect(dry.stdout.contains("'Idempotency-Key: order-1'") && dry.stdout.contains("'X-Tenant: shop'"))
        #expect(dry.stdout.contains("\(url)/v1/charges"))
        #expect(!dry.stdout.contains("sk_live"), "secrets never reach the screen")
        #expect(dry.stderr.contains("Authorization header is secret and not sent"))
        Thread.sleep(forTimeInterval: 0.2)
        #expect(service.log() == logBefore)
        #expect(try Snapshot(store) == before)

        // A replay: the service answers with the stored response.
        let replay = try CLIRunner.run(["replay", store, "order-1", "--target", url, "--yes",
                                        "--header", "Authorization: Bearer sk_live_cli", "--reason", "checking"])
        #expect(replay.code == 0, "\(replay.stderr)")
        #expect(replay.stdout.contains("Idempotent-Replayed                         true"), "\(replay.stdout)")
        #expect(replay.stdout.contains("body: the same as the stored response"))
        #expect(service.log().contains("shop/order-1 replayed"))

        // A purge, then the replay executes anew: another charge id, no replay header.
        let purge = try CLIRunner.run(["purge", store, "order-1", "--reason", "customer asked", "--yes"])
        #expect(purge.code == 0, "\(purge.stderr)")
        #expect(purge.stdout.contains("purged shop/order-1 (saw completed, version 3)"), "\(purge.stdout)")
        let anew = try CLIRunner.run(["replay", store, "order-1", "--target", url, "--yes"])
        #expect(anew.code == 0, "\(anew.stderr)")
        #expect(anew.stdout.contains("(absent)"))
        #expect(anew.stdout.contains("body (- stored, + answer):"))
        let oldID = try #require(firstBody.split(separator: "\"").first { $0.hasPrefix("ch_") })
        #expect(anew.stdout.contains("-   \"id\" : \"\(oldID)\""), "\(anew.stdout)")
        #expect(service.log().components(separatedBy: "shop/order-1 executed").count - 1 == 2, "executed once anew")

        // The audit trail: replay, purge, then the execution anew and the second replay.
        let events = try timeline(store, "order-1")
        let kinds = events.map { ($0["kind"] as? String ?? "") + "/" + ($0["outcome"] as? String ?? "") }
        #expect(kinds == ["request/executed", "completed/", "request/replayed", "replay/", "purge/",
                          "request/executed", "completed/", "replay/"], "\(kinds)")
        let purgeEvent = events[4]
        let actor = try #require(purgeEvent["actor"] as? String)
        #expect(actor.contains("@") && !actor.hasPrefix("@") && !actor.hasSuffix("@"))
        #expect(purgeEvent["reason"] as? String == "customer asked")
        #expect(purgeEvent["saw_status"] as? String == "completed" && purgeEvent["saw_version"] as? Int == 3)
        #expect(events[3]["result_status"] as? Int == 201 && events[3]["target"] as? String == url)
        #expect((events[3]["reason"] as? String)?.hasPrefix("checking") == true)

        // `idemtop tail` shows the admin events with who, what they saw, and why.
        let out = Pipe()
        let tail = try RunningChild(CLIRunner.binary.path, ["tail", store, "--from-start"],
                                    stdout: .pipe(out), stderr: .discard)
        defer { tail.stop() }
        let collected = LineCollector(out.fileHandleForReading)
        #expect(eventually(10) { collected.lines.filter { $0.contains("shop  order-1") }.count >= 8 })
        let admin = collected.lines.filter { $0.contains("  purge ") || $0.contains("  replay ") }
        #expect(admin.count == 3, "\(collected.lines)")
        #expect(admin.contains { $0.contains("by \(actor)") && $0.contains("saw completed v3") && $0.contains("reason: customer asked") })
        #expect(admin.contains { $0.contains("to \(url)") && $0.contains("-> 201") })
    }

    func jsonObject(_ r: CLIRunner.Result) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stdout)")
    }

    /// `--format json` on replay and purge: one object a script can read, the same exit codes as the table.
    @Test func purgeAndReplayPrintJSONForScripts() throws {
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("journal.jsonl").path
        let service = try startService(store, in: dir)
        defer { service.stop() }
        let url = service.url.absoluteString
        #expect(try charge(service.url, token: "order-7").status == 201)

        // JSON cannot answer a prompt: without --yes or --dry-run it is a usage error.
        for args in [["purge", store, "order-7", "--reason", "r", "--format", "json"],
                     ["replay", store, "order-7", "--target", url, "--format", "json"]] {
            let r = try CLIRunner.run(args)
            #expect(r.code == 2 && r.stderr.contains("add --yes or --dry-run"), "\(args[0]): \(r.stderr)")
        }

        let logBefore = service.log()
        let dry = try jsonObject(try CLIRunner.run(["replay", store, "order-7", "--target", url, "--dry-run",
                                                    "--format", "json"]))
        #expect(dry["dry_run"] as? Bool == true && dry["method"] as? String == "POST")
        #expect(dry["url"] as? String == url + "/v1/charges")
        #expect((dry["headers"] as? [String: String])?["Idempotency-Key"] == "order-7")
        #expect((dry["curl"] as? String)?.hasPrefix("curl -sS -i -X POST") == true)
        Thread.sleep(forTimeInterval: 0.2)
        #expect(service.log() == logBefore, "a dry run sends nothing")

        let replay = try CLIRunner.run(["replay", store, "order-7", "--target", url, "--yes", "--format", "json"])
        #expect(replay.code == 0, "\(replay.stderr)")
        let answered = try jsonObject(replay)
        #expect(answered["dry_run"] as? Bool == false && answered["bodies_match"] as? Bool == true)
        #expect(answered["idempotent_replayed"] as? String == "true")
        #expect((answered["answer"] as? [String: Any])?["status"] as? Int == 201)
        #expect((answered["stored"] as? [String: Any])?["status"] as? Int == 201)
        let event = try #require(answered["event"] as? [String: Any])
        #expect(event["kind"] as? String == "replay" && event["result_status"] as? Int == 201)
        #expect(event["seq"] == nil, "an event just written has no position yet")
        #expect(answered["record_error"] is NSNull)

        // A stale purge: exit 3 with the object on stdout and one line on stderr; nothing written.
        let stale = try CLIRunner.run(["purge", store, "order-7", "--reason", "r", "--yes", "--expect-version", "1",
                                       "--format", "json"])
        #expect(stale.code == 3 && stale.stderr.hasPrefix("idemtop: refused:"), "\(stale.stderr)")
        #expect(stale.stderr.split(separator: "\n").count == 1)
        let refused = try jsonObject(stale)
        #expect(refused["purged"] as? Int == 0 && refused["refused"] as? Int == 1)
        let refusedItem = try #require((refused["tokens"] as? [[String: Any]])?.first)
        #expect(refusedItem["result"] as? String == "refused" && refusedItem["refused_because"] is String)

        let purge = try CLIRunner.run(["purge", store, "order-7", "--reason", "customer asked", "--yes",
                                       "--format", "json"])
        #expect(purge.code == 0, "\(purge.stderr)")
        let purged = try jsonObject(purge)
        #expect(purged["purged"] as? Int == 1 && purged["dry_run"] as? Bool == false)
        let item = try #require((purged["tokens"] as? [[String: Any]])?.first)
        #expect(item["tenant"] as? String == "shop" && item["token"] as? String == "order-7")
        #expect(item["status"] as? String == "completed" && item["result"] as? String == "purged")
        #expect((item["event"] as? [String: Any])?["reason"] as? String == "customer asked")

        // After the purge the replay executes anew: no replay header, and the diff names the old charge id.
        let anew = try jsonObject(try CLIRunner.run(["replay", store, "order-7", "--target", url, "--yes",
                                                     "--format", "json"]))
        #expect(anew["bodies_match"] as? Bool == false && anew["idempotent_replayed"] is NSNull)
        let diff = try #require(anew["diff"] as? [[String: String]])
        #expect(diff.contains { $0["op"] == "removed" && $0["line"]?.contains("ch_") == true }, "\(diff)")
        #expect(diff.contains { $0["op"] == "added" && $0["line"]?.contains("ch_") == true }, "\(diff)")
    }

    @Test(arguments: stores)
    func readOnlyRefusesEveryActionAndLeavesTheFileAlone(_ name: String) throws {
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent(name).path
        let sim = try CLIRunner.run(["simulate", store, "--events", "600", "--seed", "5", "--start", CLITests.start])
        #expect(sim.code == 0, "\(sim.stderr)")
        let list = try CLIRunner.run(["list", store, "--format", "json", "--status", "stuck", "--at", CLITests.end])
        let items = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        let item = try #require(items.first)
        let token = try #require(item["token"] as? String), tenant = try #require(item["tenant"] as? String)
        let before = try Snapshot(store)
        let listing = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        Thread.sleep(forTimeInterval: 0.05)
        let attempts: [[String]] = [
            ["purge", store, token, "--tenant", tenant, "--reason", "r", "--yes", "--read-only"],
            ["purge", store, "--status", "stuck", "--older-than", "1m", "--at", CLITests.end, "--reason", "r", "--yes", "--read-only"],
            ["replay", store, token, "--tenant", tenant, "--target", "http://127.0.0.1:9", "--yes", "--read-only"],
        ]
        for args in attempts {
            let r = try CLIRunner.run(args)
            #expect(r.code == 1, "\(args[0]): \(r.code) \(r.stderr)")
            #expect(r.stderr.hasPrefix("idemtop: refused: the store is open read-only"), "\(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1 && r.stdout.isEmpty)
            #expect(try Snapshot(store) == before, "\(args[0]) changed the store")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == listing)
        // A dry run is no action: allowed read-only, and it writes nothing either.
        let dry = try CLIRunner.run(["purge", store, token, "--tenant", tenant, "--reason", "r", "--dry-run", "--read-only"])
        #expect(dry.code == 0 && dry.stdout.contains("dry run: nothing was purged"), "\(dry.stderr)")
        #expect(try Snapshot(store) == before)
    }

    @Test(arguments: stores)
    func exitCodesOfRefusedAndUnconfirmedActions(_ name: String) throws {
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent(name).path
        #expect(try CLIRunner.run(["simulate", store, "--events", "600", "--seed", "9", "--start", CLITests.start]).code == 0)
        let list = try CLIRunner.run(["list", store, "--format", "json", "--status", "stuck", "--at", CLITests.end])
        let items = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        let item = try #require(items.first)
        let token = try #require(item["token"] as? String), tenant = try #require(item["tenant"] as? String)
        let listed = item["version"] as? Int
        let version = try listed ?? showVersion(store, token, tenant)
        let before = try Snapshot(store)

        // No terminal and no --yes: refused before anything is written, one line, exit 2.
        let unconfirmed = try CLIRunner.run(["purge", store, token, "--tenant", tenant, "--reason", "r"])
        #expect(unconfirmed.code == 2 && unconfirmed.stderr.contains("pass --yes"), "\(unconfirmed.stderr)")
        #expect(unconfirmed.stderr.split(separator: "\n").count == 1 && unconfirmed.stdout.isEmpty)
        // What the operator saw is no longer what the store holds: exit 3, nothing written.
        let stale = try CLIRunner.run(["purge", store, token, "--tenant", tenant, "--reason", "r", "--yes",
                                       "--expect-version", "\(version - 1)"])
        #expect(stale.code == 3, "\(stale.stderr)")
        #expect(stale.stderr.contains("refused:") && stale.stderr.contains("changed since you looked"))
        #expect(stale.stderr.split(separator: "\n").count == 1)
        #expect(try Snapshot(store) == before)

        let ok = try CLIRunner.run(["purge", store, token, "--tenant", tenant, "--reason", "r", "--yes",
                                    "--expect-version", "\(version)"])
        #expect(ok.code == 0, "\(ok.stderr)")
        let again = try CLIRunner.run(["purge", store, token, "--tenant", tenant, "--reason", "r", "--yes"])
        #expect(again.code == 3 && again.stderr.contains("already purged"), "\(again.stderr)")

        // Bulk: dry run lists and writes nothing; the typed count is needed without --yes.
        let after = try Snapshot(store)
        let bulkDry = try CLIRunner.run(["purge", store, "--status", "stuck", "--older-than", "10m", "--at", CLITests.end,
                                         "--reason", "deploy crashed", "--dry-run"])
        let shown = bulkDry.stdout.split(separator: "\n").filter { $0.contains("  stuck  age ") }.count
        #expect(bulkDry.code == 0 && bulkDry.stdout.hasPrefix("would purge \(shown) token(s):"), "\(bulkDry.stdout)")
        #expect(bulkDry.stdout.contains("the execution in flight can no longer complete"))
        #expect(shown > 0 && shown < items.count - 1, "--older-than 10m leaves the younger stuck tokens out")
        let bulkUnconfirmed = try CLIRunner.run(["purge", store, "--status", "stuck", "--at", CLITests.end, "--reason", "x"])
        #expect(bulkUnconfirmed.code == 2)
        #expect(try Snapshot(store) == after)
        let bulk = try CLIRunner.run(["purge", store, "--status", "stuck", "--at", CLITests.end, "--reason", "x", "--yes"])
        #expect(bulk.code == 0, "\(bulk.stderr)")
        #expect(bulk.stdout.components(separatedBy: "\npurged ").count - 1 == items.count - 1)
        // Every token that was stuck is purged now (`list --at` would show the store as it stood then).
        let purged = try CLIRunner.run(["list", store, "--format", "json", "--status", "purged"])
        #expect((try JSONSerialization.jsonObject(with: Data(purged.stdout.utf8)) as? [Any])?.count == items.count)

        // Replay failures: one line, exit 1.
        let refused = try CLIRunner.run(["replay", store, token, "--tenant", tenant, "--target", "http://127.0.0.1:1", "--yes"])
        #expect(refused.code == 1 && refused.stderr.contains("connection refused"), "\(refused.stderr)")
        let bad = try CLIRunner.run(["replay", store, token, "--tenant", tenant, "--target", "ftp://x", "--yes"])
        #expect(bad.code == 1 && bad.stderr.contains("bad target URL"), "\(bad.stderr)")
        let usage = try CLIRunner.run(["purge", store, token, "--reason", "r", "--status", "stuck"])
        #expect(usage.code == 2)
    }

    func listed(_ store: String, _ args: [String]) throws -> [[String: Any]] {
        let r = try CLIRunner.run(["list", store, "--format", "json", "--at", CLITests.end] + args)
        #expect(r.code == 0, "\(args): \(r.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
    }

    /// `--filter` takes the dashboard's filter language headless: list shows, and a bulk purge takes, the same tokens
    /// the dashboard's filter would show.
    @Test func listAndPurgeTakeTheDashboardsFilter() throws {
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("f.jsonl").path
        #expect(try CLIRunner.run(["simulate", store, "--events", "1500", "--seed", "9", "--start", CLITests.start]).code == 0)
        func keys(_ items: [[String: Any]]) -> Set<String> {
            Set(items.map { "\($0["tenant"] ?? "")/\($0["token"] ?? "")" })
        }
        let stuck = try listed(store, ["--status", "stuck"])
        #expect(!stuck.isEmpty)
        #expect(keys(try listed(store, ["--filter", "status:stuck"])) == keys(stuck))
        // age> is the AGE column: how long ago the current execution began.
        let end = try #require(Instant(rfc3339: CLITests.end))
        let old = try listed(store, ["--filter", "status:stuck age>=10m"])
        #expect(old.allSatisfy { (Instant(rfc3339: $0["created_at"] as? String ?? "")).map { end - $0 >= .minutes(10) } ?? false })
        #expect(old.count < stuck.count, "some stuck tokens are younger than 10 minutes")
        // finding: runs the detectors: the double-charge suspects audit reports.
        let audit = try CLIRunner.run(["audit", store, "--format", "json", "--at", CLITests.end])
        let findings = try #require(try JSONSerialization.jsonObject(with: Data(audit.stdout.utf8)) as? [[String: Any]])
        let suspects = Set(findings.filter { $0["kind"] as? String == "double_charge_suspect" }.flatMap { f in
            (f["tokens"] as? [String] ?? []).map { "\(f["tenant"] ?? "")/\($0)" }
        })
        let doubleCharges = keys(try listed(store, ["--filter", "finding:double_charge"]))
        #expect(!suspects.isEmpty && doubleCharges == suspects)

        // A bulk purge by filter: the dry run lists what list shows, then the purge takes exactly those.
        let tenant = try #require(stuck.first?["tenant"] as? String)
        let chosen = keys(try listed(store, ["--filter", "status:stuck tenant:\(tenant)"]))
        let dry = try CLIRunner.run(["purge", store, "--filter", "status:stuck tenant:\(tenant)", "--at", CLITests.end,
                                     "--reason", "r", "--dry-run"])
        #expect(dry.code == 0 && dry.stdout.hasPrefix("would purge \(chosen.count) token(s):"), "\(dry.stdout)")
        let purge = try CLIRunner.run(["purge", store, "--filter", "status:stuck tenant:\(tenant)", "--at", CLITests.end,
                                       "--reason", "r", "--yes", "--format", "json"])
        #expect(purge.code == 0, "\(purge.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(purge.stdout.utf8)) as? [String: Any])
        let purgedTokens = (object["tokens"] as? [[String: Any]]).map(keys) ?? []
        #expect(purgedTokens == chosen && object["purged"] as? Int == chosen.count)

        for (args, message) in [(["--filter", " "], "--filter needs terms"), (["--filter", "colour:red"], "unknown field 'colour'"),
                                (["t", "--filter", "status:stuck"], "either a TOKEN or")] {
            let r = try CLIRunner.run(["purge", store] + args + ["--reason", "r", "--dry-run"])
            #expect(r.code == 2 && r.stderr.contains(message), "\(args): \(r.stderr)")
        }
    }

    func showVersion(_ store: String, _ token: String, _ tenant: String) throws -> Int {
        let r = try CLIRunner.run(["show", store, token, "--tenant", tenant, "--format", "json"])
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        return object?["version"] as? Int ?? -1
    }

    /// Runs `idemtop args` on a pseudo-terminal (util-linux `script`) with `input` typed in.
    func onTerminal(_ args: [String], input: String) throws -> CLIRunner.Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        let command = ([CLIRunner.binary.path] + args).map { "'" + $0.replacingOccurrences(of: "'", with: #"'\''"#) + "'" }
        p.arguments = ["-qec", command.joined(separator: " "), "/dev/null"]
        let stdin = Pipe(), stdout = Pipe()
        p.standardInput = stdin
        p.standardOutput = stdout
        p.standardError = stdout
        try p.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return CLIRunner.Result(code: p.terminationStatus, stdout: String(decoding: out, as: UTF8.self), stderr: "")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func onATerminalABulkPurgeWantsTheNumberTyped() throws {
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("bulk.jsonl").path
        #expect(try CLIRunner.run(["simulate", store, "--events", "600", "--seed", "9", "--start", CLITests.start]).code == 0)
        let list = try CLIRunner.run(["list", store, "--format", "json", "--status", "stuck", "--at", CLITests.end])
        let count = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [Any]).count
        try #require(count >= 2)
        let before = try Snapshot(store)
        let args = ["purge", store, "--status", "stuck", "--at", CLITests.end, "--reason", "bulk"]
        let wrong = try onTerminal(args, input: "y\n")
        #expect(wrong.code == 1 && wrong.stdout.contains("Type \(count) to confirm") && wrong.stdout.contains("cancelled"),
                "\(wrong.stdout)")
        #expect(try Snapshot(store) == before)
        let typed = try onTerminal(args, input: "\(count)\n")
        #expect(typed.code == 0, "\(typed.stdout)")
        #expect(typed.stdout.components(separatedBy: "purged ").count - 1 == count)
        let single = try onTerminal(["purge", store, "nope-token", "--reason", "r"], input: "y\n")
        #expect(single.code == 1 && single.stdout.contains("no token 'nope-token'"))
    }

    @Test func aSlowServiceTimesOutAndPlainHTTPIsNoTLS() throws {
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("sim.jsonl").path
        #expect(try CLIRunner.run(["simulate", store, "--events", "200", "--seed", "4", "--start", CLITests.start]).code == 0)
        let list = try CLIRunner.run(["list", store, "--format", "json", "--status", "completed", "--at", CLITests.end])
        let items = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        let item = try #require(items.first { $0["operation"] as? String == "POST /v1/charges" })
        let token = try #require(item["token"] as? String), tenant = try #require(item["tenant"] as? String)
        let service = try ExampleServiceProcess(executable: CLIRunner.binary.deletingLastPathComponent()
                                                    .appendingPathComponent("idemtop-example-service"),
                                                store: StoreLocation(kind: JournalDriver.kind, path: dir.appendingPathComponent("slow.jsonl").path),
                                                arguments: ["--work-ms", "5000", "--quiet"])
        defer { service.stop() }
        let started = Date()
        let slow = try CLIRunner.run(["replay", store, token, "--tenant", tenant, "--target", service.url.absoluteString,
                                      "--timeout", "0.4", "--yes"])
        #expect(slow.code == 1 && slow.stderr.contains("timed out after 0.4 s"), "\(slow.stderr)")
        #expect(Date().timeIntervalSince(started) < 3)
        let https = service.url.absoluteString.replacingOccurrences(of: "http://", with: "https://")
        let tls = try CLIRunner.run(["replay", store, token, "--tenant", tenant, "--target", https, "--timeout", "3", "--yes"])
        #expect(tls.code == 1 && tls.stderr.contains("TLS error"), "\(tls.stderr)")
        #expect(tls.stderr.split(separator: "\n").filter { !$0.contains("note:") }.count == 1)
    }

    @Test func aTokenWithoutAStoredRequestHasNothingToReplay() throws {
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("bare.jsonl").path
        let at = Instant(rfc3339: "2026-11-29T05:00:00Z") ?? Instant(ms: 0)
        let event = StoreEvent(kind: .request, at: at, tenant: "acme", token: "bare", operation: "POST /v1/charges",
                               fingerprint: Fingerprint("ab"), outcome: .executed, expiresAt: at + .hours(24),
                               lockedUntil: at + .seconds(60))
        try Data(EventLineEncoder.encode(event)).write(to: URL(fileURLWithPath: store))
        let r = try CLIRunner.run(["replay", store, "bare", "--target", "http://127.0.0.1:9", "--yes"])
        #expect(r.code == 1 && r.stderr.contains("holds no request"), "\(r.stderr)")
        let dry = try CLIRunner.run(["replay", store, "bare", "--target", "http://127.0.0.1:9", "--dry-run"])
        #expect(dry.code == 1 && dry.stderr.contains("holds no request"))
    }
}
