import Foundation
import Testing

/// `show TOKEN` through the journal's token index checkpoint, run as the real binary with its own cache folder.
@Suite(.serialized) struct ShowCacheTests {
    let dir: URL
    let store: String
    let cache: String
    var folder: String { cache + "/idemtop" }

    init() throws {
        dir = try CLIRunner.tempDir()
        store = dir.appendingPathComponent("j.jsonl").path
        cache = dir.appendingPathComponent("cache").path
        let r = try CLIRunner.run(["simulate", store, "--events", "4000", "--seed", "7", "--start", CLITests.start, "--json"])
        #expect(r.code == 0, "\(r.stderr)")
    }

    func show(_ token: String, _ extra: [String] = [], cache: String? = nil) throws -> CLIRunner.Result {
        try CLIRunner.run(["show", store, token, "--format", "json", "--at", CLITests.end] + extra,
                          environment: ["XDG_CACHE_HOME": cache ?? self.cache])
    }

    /// A token with several events, and the line (offset, bytes) of another token past the first 64 KiB.
    func pick() throws -> (token: String, other: (offset: Int, line: [UInt8])) {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: store)))
        let lines = bytes.split(separator: 10, omittingEmptySubsequences: false)
        let tokens = lines.compactMap { l -> String? in
            (try? JSONSerialization.jsonObject(with: Data(l)) as? [String: Any])?.flatMap { $0["token"] as? String }
        }
        let counts = Dictionary(tokens.map { ($0, 1) }, uniquingKeysWith: +)
        let token = try #require(counts.max { $0.value < $1.value }?.key)
        var offset = 0
        for l in lines {
            if offset > 100_000, !String(decoding: l, as: UTF8.self).contains(token) { return (token, (offset, Array(l))) }
            offset += l.count + 1
        }
        Issue.record("the journal is too short")
        return (token, (0, []))
    }

    @Test func theSecondShowUsesTheIndexAndAnswersTheSame() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let (token, other) = try pick()
        let cold = try show(token)
        #expect(cold.code == 0 && cold.stderr.isEmpty, "\(cold.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).count == 1)
        let warm = try show(token)
        #expect(warm.code == 0 && warm.stderr.isEmpty, "\(warm.stderr)")
        #expect(warm.stdout == cold.stdout)
        #expect(try show(token, ["--no-cache"]).stdout == cold.stdout)

        // Spoil another token's line in place (same length, after the first 64 KiB): a whole read finds it
        // malformed; a read through the index never reads it.
        let h = try #require(FileHandle(forWritingAtPath: store))
        try h.seek(toOffset: UInt64(other.offset))
        try h.write(contentsOf: Data(repeating: UInt8(ascii: "x"), count: other.line.count))
        try h.close()
        let indexed = try show(token)
        #expect(indexed.stdout == cold.stdout)
        #expect(!indexed.stderr.contains("malformed"), "\(indexed.stderr)")
        let whole = try show(token, ["--no-cache"])
        #expect(whole.stdout == cold.stdout)
        #expect(whole.stderr.contains("1 malformed line"), "\(whole.stderr)")

        // Appended lines are read from the journal.
        let more = try CLIRunner.run(["simulate", store, "--events", "50", "--seed", "8", "--start", CLITests.end, "--json"])
        #expect(more.code == 0, "\(more.stderr)")
        #expect(try show(token).stdout == show(token, ["--no-cache"]).stdout)
    }

    @Test func noCacheWritesNothing() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let (token, _) = try pick()
        let r = try show(token, ["--no-cache"])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: cache))
        // The config file's `cache = false` does the same.
        let config = dir.appendingPathComponent("config.toml")
        try Data("cache = false\n".utf8).write(to: config)
        let c = try CLIRunner.run(["show", store, token], environment: ["XDG_CACHE_HOME": cache, "IDEMTOP_CONFIG": config.path])
        #expect(c.code == 0, "\(c.stderr)")
        #expect(!FileManager.default.fileExists(atPath: cache))
        #expect(try show(token).code == 0)
        #expect(FileManager.default.fileExists(atPath: folder), "without either, the checkpoint is written")
    }

    @Test func aCorruptCheckpointIsDiscardedWithANoticeAndRebuilt() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let (token, _) = try pick()
        let cold = try show(token)
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: folder).first)
        #expect(truncate(folder + "/" + name, 100) == 0)
        let r = try show(token)
        #expect(r.code == 0)
        #expect(r.stdout == cold.stdout)
        let notice = r.stderr.split(separator: "\n")
        #expect(notice.count == 1 && notice[0].contains("checkpoint is corrupt"), "\(r.stderr)")
        let again = try show(token)
        #expect(again.stderr.isEmpty, "rebuilt: \(again.stderr)")
    }

    @Test func aCheckpointThatCannotBeWrittenIsANoticeNotAnError() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let (token, _) = try pick()
        try Data("a file".utf8).write(to: URL(fileURLWithPath: cache))
        let r = try show(token)
        #expect(r.code == 0)
        #expect(r.stdout.contains(token))
        #expect(r.stderr.contains("checkpoint was not written"), "\(r.stderr)")
    }

    @Test func statsReopensFromTheFoldCheckpointWithTheSameAnswer() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        func stats(_ extra: [String] = [], cache: String? = nil) throws -> CLIRunner.Result {
            try CLIRunner.run(["stats", store, "--format", "json"] + extra, environment: ["XDG_CACHE_HOME": cache ?? self.cache])
        }
        let elsewhere = dir.appendingPathComponent("other-cache").path
        let none = try stats(["--no-cache"], cache: elsewhere)
        #expect(none.code == 0 && !FileManager.default.fileExists(atPath: elsewhere))
        let cold = try stats()
        #expect(cold.code == 0 && cold.stderr.isEmpty, "\(cold.stderr)")
        #expect(cold.stdout == none.stdout)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder)
        #expect(names.count == 1 && names[0].hasSuffix(".fold"))
        let warm = try stats()
        #expect(warm.stdout == cold.stdout && warm.stderr.isEmpty, "\(warm.stderr)")
        let list = ["list", store, "--format", "csv", "--sort", "token"]
        let listed = try CLIRunner.run(list, environment: ["XDG_CACHE_HOME": cache])
        #expect(listed.code == 0 && listed.stderr.isEmpty, "\(listed.stderr)")
        // expires_in_s (the 8th column) moves with the clock between the two runs.
        func steady(_ csv: String) -> [[Substring]] {
            csv.split(separator: "\n").map { l in l.split(separator: ",", omittingEmptySubsequences: false).enumerated().filter { $0.offset != 7 }.map(\.element) }
        }
        let whole = try CLIRunner.run(list + ["--no-cache"], environment: ["XDG_CACHE_HOME": cache])
        #expect(steady(listed.stdout) == steady(whole.stdout) && listed.stdout.split(separator: "\n").count > 100)

        let more = try CLIRunner.run(["simulate", store, "--events", "50", "--seed", "8", "--start", CLITests.end, "--json"])
        #expect(more.code == 0, "\(more.stderr)")
        func inode(_ path: String) -> UInt64? {
            (try? FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? UInt64) ?? nil
        }
        let written = inode(folder + "/" + names[0])
        #expect(written != nil)
        let appended = try stats()
        #expect(appended.stdout != cold.stdout)
        #expect(appended.stdout == (try stats(["--no-cache"])).stdout)
        // A tail much smaller than the checkpoint is folded in memory: the checkpoint is not rewritten for it.
        #expect(inode(folder + "/" + names[0]) == written, "a 50-event tail rewrote the checkpoint")
        let big = try CLIRunner.run(["simulate", store, "--events", "3000", "--seed", "9", "--start", CLITests.end, "--json"])
        #expect(big.code == 0, "\(big.stderr)")
        let grown = try stats()
        #expect(grown.stdout == (try stats(["--no-cache"])).stdout && grown.stderr.isEmpty, "\(grown.stderr)")
        #expect(inode(folder + "/" + names[0]) != written, "a tail as large as the checkpoint is folded into it")
        let again = try stats()
        #expect(again.stdout == grown.stdout)

        #expect(truncate(folder + "/" + names[0], 64) == 0)
        let rebuilt = try stats()
        #expect(rebuilt.stdout == grown.stdout)
        #expect(rebuilt.stderr.contains("fold checkpoint is corrupt"), "\(rebuilt.stderr)")
        #expect(try stats().stderr.isEmpty)
    }

    /// `stats` and `list` with and without `--at`, with and without lines appended after the checkpoint: the answer
    /// through the checkpoint is the one `--no-cache` gives; `--at` uses (and writes) the checkpoint only when its
    /// newest event is not after the instant, and the journal is never written.
    @Test func statsAndListAtAnInstantAnswerAsWithoutTheCache() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        func run(_ args: [String]) throws -> CLIRunner.Result {
            let r = try CLIRunner.run(args, environment: ["XDG_CACHE_HOME": cache])
            #expect(r.code == 0, "\(args): \(r.stderr)")
            return r
        }
        func same(_ args: [String], _ what: String) throws {
            let through = try run(args)
            let whole = try run(args + ["--no-cache"])
            #expect(through.stdout == whole.stdout && !through.stdout.isEmpty, "\(what): \(args)")
            #expect(through.stderr == whole.stderr, "\(what): \(through.stderr)")
        }
        func checkpoints() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".fold") }
        }
        func inode(_ name: String) -> UInt64? {
            (try? FileManager.default.attributesOfItem(atPath: folder + "/" + name)[.systemFileNumber] as? UInt64) ?? nil
        }
        func journalStamp() -> [String] {
            let a = (try? FileManager.default.attributesOfItem(atPath: store)) ?? [:]
            return ["\(a[.size] ?? "")", "\(a[.modificationDate] ?? "")"]
        }
        let stamp = journalStamp()
        let after = "2026-12-31T00:00:00Z", middle = "2026-11-27T12:00:00Z"
        // Cold, --at after every event: the fold up to then is the whole journal's, so it is the checkpoint.
        try same(["stats", store, "--format", "json", "--at", after], "cold --at")
        let names = checkpoints()
        #expect(names.count == 1, "--at after every event writes the checkpoint")
        let written = try #require(names.first.flatMap(inode))
        // --at before the checkpoint's newest event reads the whole journal and leaves the checkpoint alone.
        try same(["stats", store, "--format", "json", "--at", middle], "--at before the newest event")
        #expect(inode(names[0]) == written)
        // list without --at: expires_in_s moves with the clock, so only the --at forms compare whole lines.
        for at in [["--at", after], ["--at", middle], ["--at", CLITests.end]] {
            try same(["stats", store, "--format", "json"] + at, "warm")
            try same(["list", store, "--format", "csv", "--sort", "token"] + at, "warm")
        }
        let plain = try run(["stats", store, "--format", "json"])
        #expect(plain.stdout.contains("\"tokens\""))

        // Lines appended after the checkpoint: folded onto it (a small tail: the checkpoint is not rewritten).
        let more = try CLIRunner.run(["simulate", store, "--events", "60", "--seed", "11", "--start", CLITests.end, "--json"])
        #expect(more.code == 0, "\(more.stderr)")
        try J2.appendMalformed(to: store)
        let grownStamp = journalStamp()
        let lastEvent = try #require(ReportFields.lastEventAt(try run(["stats", store, "--format", "json", "--no-cache"]).stdout))
        for at in [["--at", after], ["--at", middle], ["--at", CLITests.end], ["--at", lastEvent]] {
            try same(["stats", store, "--format", "json"] + at, "with a tail")
            try same(["list", store, "--format", "csv", "--sort", "token"] + at, "with a tail")
        }
        #expect(inode(names[0]) == written, "a 60-event tail rewrote the checkpoint")
        #expect(journalStamp() == grownStamp && grownStamp != stamp, "the journal was written")
        #expect(checkpoints() == names)
    }
}

/// Small helpers for the cache tests.
enum J2 {
    /// Appends one line that is not an event.
    static func appendMalformed(to path: String) throws {
        guard let h = FileHandle(forWritingAtPath: path) else { throw CocoaError(.fileNoSuchFile) }
        try h.seekToEnd()
        try h.write(contentsOf: Data("{not an event\n".utf8))
        try h.close()
    }
}

enum ReportFields {
    /// `last_event_at` of a `stats --format json` answer.
    static func lastEventAt(_ json: String) -> String? {
        (try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])?.flatMap { $0["last_event_at"] as? String }
    }
}
