import Foundation

/// `idemtop-bench scaling`: how time and memory grow with the store, from 100k to millions of tokens.
///
/// For each size the generated journal (made when missing, as `journal` makes it) is read cold by `idemtop stats`
/// (the fold, on all cores) and `idemtop list --limit 1` (the fold and the token table); up to `--sqlite-up-to`
/// tokens its SQLite copy too (`stats` from SQL, `list` from `idem_tokens` and aggregates over `idem_events`). Each run is a whole process: wall time
/// and its peak RSS from wait4; bytes a token is that peak over the token count.
enum ScalingBench {
    static func run(sizes: [Int], dir: String, binary: String, sqliteUpTo: Int) {
        print("scaling: load average at the start \(loadAverage())")
        print("| tokens | store | MB | command | time | peak RSS | bytes/token |")
        print("| ---: | --- | ---: | --- | ---: | ---: | ---: |")
        for n in sizes {
            let journal = (dir as NSString).appendingPathComponent("idemtop-bench-\(n).jsonl")
            if !FileManager.default.fileExists(atPath: journal) {
                do { _ = try JournalGenerator(tokens: n).write(to: journal) } catch { fail("generate: \(error)") }
            }
            var stores = [("journal", journal)]
            if n <= sqliteUpTo { stores.append(("SQLite", StatsBench.sqliteCopy(of: journal))) }
            for (kind, path) in stores {
                let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
                for command in [["stats", path, "--format", "json"], ["list", path, "--limit", "1"]] {
                    let (seconds, rss, status, _) = StatsBench.timed(binary, command)
                    guard status == 0 else { fail("\(command.joined(separator: " ")) failed with status \(status)") }
                    print(String(format: "| %d | %@ | %.0f | %@ | %.2f s | %.0f MiB | %.0f |", n, kind,
                                 Double(size) / 1e6, command[0], seconds, rss, rss * 1_048_576 / Double(n)))
                }
            }
        }
        print("load average at the end \(loadAverage())")
    }
}
