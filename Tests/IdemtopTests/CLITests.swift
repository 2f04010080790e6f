import Foundation
import IdemCore
import IdemProcess
import Testing

/// The headless commands, run as the real binary against real store files.
@Suite(.serialized) struct CLITests {
    static let start = "2026-11-27T00:00:00Z"
    static let end = "2026-11-28T02:00:00Z"  // start + the default span (24 h retention + 2 h)

    func simulate(_ store: String, events: Int = 4000, seed: Int = 7) throws {
        let r = try CLIRunner.run(["simulate", store, "--events", "\(events)", "--seed", "\(seed)", "--start", CLITests.start, "--json"])
        #expect(r.code == 0, "\(r.stderr)")
    }

    func json(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    @Test(arguments: ["journal.jsonl", "store.db"])
    func simulateThenListStatsAndShowAgree(_ name: String) throws {
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent(name).path
        try simulate(store)

        let stats = try CLIRunner.run(["stats", store, "--format", "json", "--at", CLITests.end])
        #expect(stats.code == 0, "\(stats.stderr)")
        let s = try #require(try json(stats.stdout) as? [String: Any])
        #expect(s["events"] as? Int == 4000)
        for key in ["tokens", "events", "by_status", "hits", "mismatches", "conflicts", "reexecuted", "malformed"] {
            #expect(s[key] != nil, "stats lacks \(key)")
        }
        let byStatus = try #require(s["by_status"] as? [String: Int])
        #expect(Set(byStatus.keys) == ["in_progress", "stuck", "completed", "failed", "expired", "purged"])
        #expect((byStatus["stuck"] ?? 0) > 0)
        #expect((byStatus["expired"] ?? 0) > 0)
        #expect((s["reexecuted"] as? Int ?? 0) > 0)
        #expect(byStatus.values.reduce(0, +) == s["tokens"] as? Int)

        let list = try CLIRunner.run(["list", store, "--format", "json", "--status", "stuck", "--at", CLITests.end])
        #expect(list.code == 0, "\(list.stderr)")
        let items = try #require(try json(list.stdout) as? [[String: Any]])
        #expect(items.count == byStatus["stuck"])
        let keys: Set<String> = ["tenant", "token", "operation", "status", "created_at", "updated_at", "expires_at",
                                 "expires_in_s", "hits", "mismatches", "conflicts", "fingerprint", "response_status"]
        let first = try #require(items.first)
        #expect(keys.isSubset(of: Set(first.keys)))
        #expect(items.allSatisfy { $0["status"] as? String == "stuck" })

        let token = try #require(first["token"] as? String)
        let tenant = try #require(first["tenant"] as? String)
        let show = try CLIRunner.run(["show", store, token, "--tenant", tenant, "--at", CLITests.end])
        #expect(show.code == 0, "\(show.stderr)")
        #expect(show.stdout.contains("status       stuck"))
        #expect(show.stdout.contains("Authorization: Bearer ****"), "secrets are masked")
        #expect(!show.stdout.contains("sk_live_"))
        #expect(show.stdout.contains("executed"))
    }

    @Test func journalAndSQLiteGiveTheSameListing() throws {
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = dir.appendingPathComponent("a.jsonl").path
        let sqlite = dir.appendingPathComponent("a.db").path
        try simulate(journal, events: 2500, seed: 3)
        try simulate(sqlite, events: 2500, seed: 3)
        let args = ["--format", "csv", "--sort", "token", "--at", CLITests.end]
        let a = try CLIRunner.run(["list", journal] + args)
        let b = try CLIRunner.run(["list", sqlite] + args)
        #expect(a.code == 0 && b.code == 0)
        #expect(a.stdout.split(separator: "\n").count > 500)
        #expect(a.stdout == b.stdout)
    }

    /// `list` on SQLite reads the token table; a malformed row sends it back to the fold, which skips the row and
    /// says so on stderr, and lists every token the journal copy lists.
    @Test func aMalformedSQLiteRowIsListedByTheFoldWithItsWarning() throws {
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = dir.appendingPathComponent("a.jsonl").path
        let sqlite = dir.appendingPathComponent("a.db").path
        try simulate(journal, events: 2500, seed: 4)
        try simulate(sqlite, events: 2500, seed: 4)
        let args = ["--format", "csv", "--sort", "token", "--at", CLITests.end]
        let clean = try CLIRunner.run(["list", sqlite] + args)
        #expect(clean.code == 0 && clean.stderr.isEmpty, "\(clean.stderr)")
        // A replayed request's kind misspelt: a malformed row that changes no token's state but its hits.
        let damage = try CLIRunner.run([sqlite,
            "UPDATE idem_events SET kind = 'requset' WHERE seq = (SELECT max(seq) FROM idem_events WHERE outcome = 'replayed')"],
            executable: "/usr/bin/sqlite3")
        #expect(damage.code == 0, "\(damage.stderr)")
        let damaged = try CLIRunner.run(["list", sqlite] + args)
        #expect(damaged.code == 0)
        #expect(damaged.stderr.contains("warning: 1 malformed row(s) skipped (first at "), "\(damaged.stderr)")
        #expect(damaged.stdout.split(separator: "\n").count == clean.stdout.split(separator: "\n").count)
        #expect(damaged.stdout != clean.stdout, "the skipped hit is not counted")
    }

    @Test func badInputGivesOneClearLineAndTheRightExitCode() throws {
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = try CLIRunner.run(["list", dir.appendingPathComponent("nope.jsonl").path])
        #expect(missing.code == 1)
        #expect(missing.stderr.contains("no such file"))
        #expect(missing.stderr.split(separator: "\n").count == 1)

        let unknown = try CLIRunner.run(["list", dir.appendingPathComponent("x.txt").path])
        #expect(unknown.code == 2)
        #expect(unknown.stderr.contains("cannot tell the store kind"))

        let folder = dir.appendingPathComponent("folder.db")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let directory = try CLIRunner.run(["stats", folder.path])
        #expect(directory.code == 1)
        #expect(directory.stderr.contains("directory"))

        let text = dir.appendingPathComponent("notes.db")
        try Data("just some notes\n".utf8).write(to: text)
        let before = try Data(contentsOf: text)
        let notDB = try CLIRunner.run(["stats", text.path])
        #expect(notDB.code == 1)
        #expect(notDB.stderr.split(separator: "\n").count == 1)
        #expect(try Data(contentsOf: text) == before, "nothing written")

        let flag = try CLIRunner.run(["list", "x.jsonl", "--no-such-flag"])
        #expect(flag.code == 2)
        let status = try CLIRunner.run(["list", "x.jsonl", "--status", "stale"])
        #expect(status.code == 2)
        #expect(status.stderr.contains("--status must be one of"))
        let at = try CLIRunner.run(["list", "x.jsonl", "--at", "yesterday"])
        #expect(at.code == 2)
    }

    @Test func aMalformedJournalLineIsCountedNotFatal() throws {
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("j.jsonl")
        try simulate(store.path, events: 200)
        let handle = try FileHandle(forWritingTo: store)
        handle.seekToEndOfFile()
        handle.write(Data("{\"kind\": \"request\", oops\n".utf8))
        try handle.close()
        let r = try CLIRunner.run(["stats", store.path, "--format", "json"])
        #expect(r.code == 0)
        let s = try #require(try json(r.stdout) as? [String: Any])
        #expect(s["malformed"] as? Int == 1)
        #expect(s["events"] as? Int == 200)
        #expect(r.stderr.contains("1 malformed line(s) skipped (first at 201"))
    }

    @Test(arguments: ["t.jsonl", "t.db"])
    func tailPrintsEventsAsTheyAreWritten(_ name: String) throws {
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent(name).path
        try simulate(store, events: 50)

        let out = Pipe()
        let p = try RunningChild(CLIRunner.binary.path, ["tail", store, "--format", "jsonl"],
                                 stdout: .pipe(out), stderr: .discard)
        defer { p.stop() }
        let collected = LineCollector(out.fileHandleForReading)

        // The tail skips what is in the store when it starts, and it may start slowly: write small batches until it
        // shows it follows, then a batch of 30 that must each appear exactly once.
        var batch = 0
        while collected.lines.isEmpty && batch < 40 {
            batch += 1
            try simulate(store, events: 5, seed: 100 + batch)
            _ = eventually(0.25) { !collected.lines.isEmpty }
        }
        #expect(!collected.lines.isEmpty, "tail printed nothing while \(batch * 5) events were written")
        _ = eventually(2) { collected.lines.count == batch * 5 }
        let before = collected.lines.count
        try simulate(store, events: 30, seed: 99)
        #expect(eventually(10) { collected.lines.count >= before + 30 }, "tail printed \(collected.lines.count - before) of 30 events")
        Thread.sleep(forTimeInterval: 0.3)
        #expect(collected.lines.count == before + 30, "the new events, each once")
        p.stop()
        for line in collected.lines {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "\(line)")
        }
    }
}

/// Collects lines from a pipe in the background.
final class LineCollector: Sendable {
    /// What is read and not yet a whole line, and the whole lines.
    private let state = Locked<(buffer: Data, done: [String])>((Data(), []))

    init(_ handle: FileHandle) {
        handle.readabilityHandler = { [weak self] h in
            let chunk = h.availableData
            guard let self, !chunk.isEmpty else { h.readabilityHandler = nil; return }
            self.state.withLock { s in
                s.buffer.append(chunk)
                while let nl = s.buffer.firstIndex(of: 10) {
                    s.done.append(String(decoding: s.buffer[s.buffer.startIndex..<nl], as: UTF8.self))
                    s.buffer.removeSubrange(s.buffer.startIndex...nl)
                }
            }
        }
    }

    var lines: [String] { state.withLock { $0.done } }
}

@Suite(.serialized) struct AuditCLITests {
    @Test func auditReportsFindingsAsJSONAndFailsOnSeverity() throws {
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("a.jsonl").path
        let sim = try CLIRunner.run(["simulate", store, "--events", "3000", "--seed", "5", "--start", CLITests.start])
        #expect(sim.code == 0, "\(sim.stderr)")

        let audit = try CLIRunner.run(["audit", store, "--format", "json", "--at", CLITests.end])
        #expect(audit.code == 0, "\(audit.stderr)")
        let items = try #require(try JSONSerialization.jsonObject(with: Data(audit.stdout.utf8)) as? [[String: Any]])
        let kinds = Set(items.compactMap { $0["kind"] as? String })
        for kind in ["double_charge_suspect", "reexecuted_after_expiry", "token_reuse", "stuck", "weak_token",
                     "retry_storm", "expiring_with_retries"] {
            #expect(kinds.contains(kind), "no \(kind) finding")
        }
        for item in items {
            #expect(Set(item.keys) == ["kind", "severity", "tenant", "tokens", "first_seen", "last_seen", "evidence"])
        }

        let failing = try CLIRunner.run(["audit", store, "--fail-on", "high", "--at", CLITests.end])
        #expect(failing.code == 4)
        #expect(failing.stdout.contains("double_charge_suspect"))

        // Before any traffic there is nothing to find.
        let before = try CLIRunner.run(["audit", store, "--fail-on", "low", "--at", "2026-11-26T00:00:00Z"])
        #expect(before.code == 0, "\(before.stdout)")

        let bad = try CLIRunner.run(["audit", store, "--fail-on", "severe"])
        #expect(bad.code == 2)
    }
}

/// `tail --wait` on a store that does not exist yet, through the real binary.
@Suite(.serialized) struct TailWaitCLITests {
    /// Without `--wait` a missing journal is an error; with it the tail waits, prints the file from its start once
    /// it appears, follows it, and ends cleanly on SIGTERM.
    @Test func tailWaitFollowsAJournalThatAppearsLater() throws {
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("later.jsonl").path
        let missing = try CLIRunner.run(["tail", path])
        #expect(missing.code == 1 && missing.stderr.contains("no such file"), "\(missing.stderr)")

        let tail = try CLIRunner.start(["tail", "--wait", path, "--format", "jsonl"])
        let (p, lines, errors) = (tail.process, tail.out, tail.err)
        defer { if p.isRunning { p.terminate() } }
        #expect(eventually(60) { !errors.lines.isEmpty }, "no word that it waits")
        #expect(errors.lines.first?.contains("waiting for it to appear") == true, "\(errors.lines)")
        #expect(p.isRunning)

        // A simulator creates the journal and writes 30 events; then 10 more are appended.
        let first = try CLIRunner.run(["simulate", path, "--events", "30", "--seed", "3", "--start", CLITests.start])
        #expect(first.code == 0, "\(first.stderr)")
        #expect(eventually(60) { lines.lines.count >= 30 }, "\(lines.lines.count) of 30 events")
        let more = try CLIRunner.run(["simulate", path, "--events", "10", "--seed", "4", "--start", CLITests.start])
        #expect(more.code == 0, "\(more.stderr)")
        #expect(eventually(60) { lines.lines.count >= 40 }, "\(lines.lines.count) of 40 events")

        p.terminate()
        p.waitUntilExit()
        #expect(p.terminationReason == .exit && p.terminationStatus == 0)
        let file = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.lines.count == file.count, "each event once")
        let tokens = lines.lines.compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["token"] as? String
        }
        let written = file.compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["token"] as? String
        }
        #expect(tokens == written)
        #expect(errors.lines.count == 1, "\(errors.lines)")
    }

    /// SIGTERM while it is still waiting ends it cleanly too.
    @Test func tailWaitEndsOnSIGTERMWhileWaiting() throws {
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tail = try CLIRunner.start(["tail", "--wait", dir.appendingPathComponent("never.db").path])
        let (p, errors) = (tail.process, tail.err)
        defer { if p.isRunning { p.terminate() } }
        #expect(eventually(60) { !errors.lines.isEmpty })
        p.terminate()
        p.waitUntilExit()
        #expect(p.terminationReason == .exit && p.terminationStatus == 0)
    }
}
