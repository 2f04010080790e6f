import Foundation
import IdemCore
import IdemStore

/// Cold `idemtop stats` on the same store as a journal and as SQLite, timed as whole processes with their peak memory.
///
///     idemtop-bench stats --journal PATH [--binary PATH]
///
/// The SQLite copy is made next to the journal with the bulk loader (once; it is reused while it is newer).
enum StatsBench {
    static func run(journal: String, binary: String) {
        let sqlite = sqliteCopy(of: journal)
        for path in [journal, sqlite] {
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            for round in 1...2 {
                let (seconds, maxRSS, status, out) = timed(binary, ["stats", path, "--format", "json"])
                let events = (try? JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])?["events"] ?? "?"
                print(String(format: "stats %@ (%.0f MB, run %d): %.2f s wall, %.0f MB/s, peak RSS %.0f MiB, %@ events, exit %d",
                             (path as NSString).lastPathComponent, Double(size) / 1e6, round, seconds,
                             Double(size) / 1e6 / seconds, maxRSS, "\(events)", status))
            }
        }
    }

    /// The SQLite copy of `journal` beside it (same name, `.db`), made with the bulk loader when missing; after
    /// making it the process starts itself again with the same arguments.
    static func sqliteCopy(of journal: String) -> String {
        let sqlite = (journal as NSString).deletingPathExtension + ".db"
        if !FileManager.default.fileExists(atPath: sqlite) {
            print("converting \(journal) to \(sqlite) (bulk loader, one transaction)...")
            let t0 = monotonicNanos()
            do {
                let reader = try JournalReader(path: journal, indexTokens: true)
                var events: [StoreEvent] = []
                while try reader.poll(limit: 200_000, { events.append($0) }, malformed: { _ in }) > 0 {}
                // The bulk read leaves bodies on disk; fetch none: stats never reads them.
                let loader = try SQLiteBulkLoader(path: sqlite, create: true)
                _ = try loader.load(events)
            } catch {
                fail("convert: \(error)")
            }
            print(String(format: "  converted in %.1f s", Double(monotonicNanos() - t0) / 1e9))
            // Start afresh: a child's peak RSS on Linux includes the image it was spawned from, and this process
            // just held every event in memory.
            let argv = CommandLine.arguments.map { strdup($0) } + [nil]
            execv(CommandLine.arguments[0], argv)
            fail("cannot re-execute \(CommandLine.arguments[0])")
        }
        return sqlite
    }

    /// Runs a command to the end with posix_spawn (so no other code reaps it); returns wall seconds, its peak RSS in
    /// MiB from wait4, its exit status and its stdout (through a temporary file).
    static func timed(_ executable: String, _ arguments: [String]) -> (Double, Double, Int32, String) {
        let (seconds, rss, status, out, _) = timedCPU(executable, arguments)
        return (seconds, rss, status, out)
    }

    /// `timed`, and the child's user+sys CPU seconds.
    static func timedCPU(_ executable: String, _ arguments: [String]) -> (Double, Double, Int32, String, Double) {
        let outPath = NSTemporaryDirectory() + "idemtop-bench-stats-\(getpid()).out"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let t0 = monotonicNanos()
        guard posix_spawn(&pid, executable, &actions, nil, argv, environ) == 0 else { fail("cannot run \(executable)") }
        var status: Int32 = 0
        var usage = rusage()
        _ = wait4(pid, &status, 0, &usage)
        let seconds = Double(monotonicNanos() - t0) / 1e9
        let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: outPath)
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        return (seconds, Double(usage.ru_maxrss) / 1024, (status >> 8) & 0xff, out, cpu)
    }
}
