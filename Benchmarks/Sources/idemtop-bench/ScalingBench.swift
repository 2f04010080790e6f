import Foundation

/// `idemtop-bench scaling`: how time and memory grow with the store, from 100k to millions of tokens.
///
/// For each size the generated journal (made when missing, as `journal` makes it) is read cold by `idemtop stats`
/// (the fold, on all cores) and `idemtop list --limit 1` (the fold and the token table); up to `--sqlite-up-to`
/// tokens its SQLite copy too (`stats` from SQL, `list` from `idem_tokens` and aggregates over `idem_events`). For a
/// journal the cache folder is one of the run's own (`XDG_CACHE_HOME` set to D/idemtop-bench-cache, emptied before
/// each size): `stats --no-cache` is the cold fold, `stats` (cold) also writes the fold checkpoint, then `stats`
/// (reopen), `list --limit 10` and `show TOKEN` (twice: the first writes the token index, the second reads it) run
/// from the checkpoints. Each run is a whole process: wall time, user+sys CPU and peak RSS from wait4; bytes a token
/// is that peak over the count.
enum ScalingBench {
    static func run(sizes: [Int], dir: String, binary: String, sqliteUpTo: Int) {
        let cache = (dir as NSString).appendingPathComponent("idemtop-bench-cache")
        setenv("XDG_CACHE_HOME", cache, 1)
        print("scaling: load average at the start \(loadAverage()); cache folder \(cache)")
        print("| tokens | store | MB | command | time | user+sys | peak RSS | bytes/token |")
        print("| ---: | --- | ---: | --- | ---: | ---: | ---: | ---: |")
        for n in sizes {
            let journal = (dir as NSString).appendingPathComponent("idemtop-bench-\(n).jsonl")
            if !FileManager.default.fileExists(atPath: journal) {
                do { _ = try JournalGenerator(tokens: n).write(to: journal) } catch { fail("generate: \(error)") }
            }
            var stores = [("journal", journal)]
            if n <= sqliteUpTo { stores.append(("SQLite", StatsBench.sqliteCopy(of: journal))) }
            for (kind, path) in stores {
                let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
                var commands: [(String, [String])] = [("stats --no-cache", ["stats", path, "--format", "json", "--no-cache"]),
                                                      ("list --limit 1 --no-cache", ["list", path, "--limit", "1", "--no-cache"])]
                if kind == "journal" {
                    try? FileManager.default.removeItem(atPath: cache)
                    let token = firstToken(path)
                    commands = [commands[0],
                                ("stats (cold, writes the checkpoint)", ["stats", path, "--format", "json"]),
                                ("stats (reopen)", ["stats", path, "--format", "json"]),
                                ("list --limit 10 (reopen)", ["list", path, "--limit", "10"]),
                                ("show (cold, writes the index)", ["show", path, token, "--format", "json"]),
                                ("show (reopen)", ["show", path, token, "--format", "json"])]
                }
                for (label, command) in commands {
                    let (seconds, rss, status, _, cpu) = StatsBench.timedCPU(binary, command)
                    guard status == 0 else { fail("\(command.joined(separator: " ")) failed with status \(status)") }
                    print(String(format: "| %d | %@ | %.0f | %@ | %.2f s | %.2f s | %.0f MiB | %.0f |", n, kind,
                                 Double(size) / 1e6, label, seconds, cpu, rss, rss * 1_048_576 / Double(n)))
                }
            }
        }
        print("load average at the end \(loadAverage())")
    }

    /// The token of the journal's first line.
    static func firstToken(_ path: String) -> String {
        guard let h = FileHandle(forReadingAtPath: path) else { fail("cannot read \(path)") }
        let head = String(decoding: h.readData(ofLength: 65536), as: UTF8.self)
        guard let r = head.range(of: #""token":""#), let end = head[r.upperBound...].firstIndex(of: "\"") else {
            fail("no token in the first line of \(path)")
        }
        return String(head[r.upperBound..<end])
    }
}
