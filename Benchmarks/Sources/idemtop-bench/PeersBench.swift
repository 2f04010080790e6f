import Foundation
import IdemCore

/// `idemtop-bench peers`: idemtop against the tools a user would reach for instead, on the same file, in one run.
///
/// Each round runs every contender once, in turn (idemtop, DuckDB, `wc -l` on the journal; idemtop and the sqlite3
/// CLI on the SQLite copy), so a burst of load from elsewhere hits them alike. Every contender computes the summary
/// `idemtop stats` prints: distinct tokens, events, requests by outcome, tokens by derived status at one instant;
/// the answers are compared and a difference is printed. Medians and the ratio idemtop/peer close the report.
enum PeersBench {
    struct Options {
        var journal: String
        var sqlite: String?
        var binary: String
        var rounds: Int
        var at: String
    }

    /// One contender: a name and the command that prints its summary as JSON (or nothing, for `wc -l`).
    struct Contender {
        var name: String
        var file: String
        var executable: String
        var arguments: [String]
        var summary: Bool
    }

    static func run(_ o: Options) {
        let python = DuckDBVenv.python()
        let sqlite = o.sqlite ?? StatsBench.sqliteCopy(of: o.journal)
        let atMs = Instant(rfc3339: o.at)?.ms ?? 0
        let contenders = [
            // Cold: no fold checkpoint read or written (with one, every round after the first would be a reopen).
            Contender(name: "idemtop stats (journal)", file: o.journal, executable: o.binary,
                      arguments: ["stats", o.journal, "--format", "json", "--at", o.at, "--no-cache"], summary: true),
            Contender(name: "DuckDB read_ndjson", file: o.journal, executable: python,
                      arguments: ["-c", PeerQueries.duckdb, o.journal, o.at], summary: true),
            Contender(name: "wc -l", file: o.journal, executable: "/usr/bin/wc", arguments: ["-l", o.journal],
                      summary: false),
            Contender(name: "idemtop stats (SQLite)", file: sqlite, executable: o.binary,
                      arguments: ["stats", sqlite, "--format", "json", "--at", o.at], summary: true),
            Contender(name: "sqlite3 CLI", file: sqlite, executable: "/usr/bin/sqlite3",
                      arguments: ["-readonly", "-json", sqlite, PeerQueries.sqlite(atMs: atMs)], summary: true),
            // Through the cache folder (its first round writes the checkpoint, the others reopen from it): what a
            // user who opens the same journal again waits for.
            Contender(name: "idemtop stats (reopen)", file: o.journal, executable: o.binary,
                      arguments: ["stats", o.journal, "--format", "json", "--at", o.at], summary: true),
        ]
        print("peers: \(o.rounds) round(s), statuses at \(o.at); load average at the start \(loadAverage())")
        var times = [[Double]](repeating: [], count: contenders.count)
        var peaks = [[Double]](repeating: [], count: contenders.count)
        var answers = [Summary?](repeating: nil, count: contenders.count)
        for round in 1...max(1, o.rounds) {
            for (k, c) in contenders.enumerated() {
                let (seconds, rss, status, out) = StatsBench.timed(c.executable, c.arguments)
                guard status == 0 else { fail("\(c.name) failed with status \(status): \(out.prefix(300))") }
                times[k].append(seconds)
                peaks[k].append(rss)
                if c.summary && answers[k] == nil { answers[k] = Summary(json: out, sqliteRows: c.name == "sqlite3 CLI") }
                print(String(format: "  round %d  %@ %7.3f s  peak RSS %5.0f MiB", round, pad(c.name), seconds, rss))
            }
        }
        print("load average at the end \(loadAverage())")
        func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }
        for (k, c) in contenders.enumerated() {
            let size = (try? FileManager.default.attributesOfItem(atPath: c.file)[.size] as? Int) ?? 0
            print(String(format: "median  %@ %7.3f s  %6.0f MB/s  peak RSS %5.0f MiB", pad(c.name),
                         median(times[k]), Double(size) / 1e6 / median(times[k]), median(peaks[k])))
        }
        for (mine, peer) in [(0, 1), (0, 2), (3, 4), (5, 1)] {
            print(String(format: "ratio   %@ / %@: %.2f", contenders[mine].name, contenders[peer].name,
                         median(times[mine]) / median(times[peer])))
        }
        for (mine, peer) in [(0, 1), (3, 4), (5, 1)] {
            guard let a = answers[mine], let b = answers[peer] else {
                print("NO ANSWER to compare from \(answers[mine] == nil ? contenders[mine].name : contenders[peer].name)")
                continue
            }
            print(a == b ? "same answer: \(contenders[mine].name) and \(contenders[peer].name): \(a.brief)"
                  : "DIFFERENT answers:\n  \(contenders[mine].name): \(a.brief)\n  \(contenders[peer].name): \(b.brief)")
        }
    }
}

/// `s` padded with spaces to 26 characters, for columns.
func pad(_ s: String) -> String { s.count >= 26 ? s : s + String(repeating: " ", count: 26 - s.count) }

/// The part of a summary every contender computes, to check they agree.
struct Summary: Equatable {
    var tokens = 0
    var events = 0
    var outcomes: [String: Int] = [:]
    var statuses: [String: Int] = [:]

    /// Reads idemtop's `stats --format json`, the DuckDB script's output, or the sqlite3 CLI's `-json` rows.
    init?(json: String, sqliteRows: Bool) {
        if sqliteRows {
            // Two statements, two JSON arrays one after the other.
            let parts = json.components(separatedBy: "]\n[").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "[]\n ")) }
            guard parts.count == 2 else { return nil }
            guard let counts = try? JSONSerialization.jsonObject(with: Data(("[" + parts[0] + "]").utf8)) as? [[String: Any]],
                  let c = counts.first,
                  let rows = try? JSONSerialization.jsonObject(with: Data(("[" + parts[1] + "]").utf8)) as? [[String: Any]]
            else { return nil }
            self.init(object: c)
            for r in rows { if let s = r["status"] as? String { statuses[s] = r["n"] as? Int ?? 0 } }
            tokens = statuses.values.reduce(0, +)
        } else {
            guard let o = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return nil }
            self.init(object: o)
            if let by = o["by_status"] as? [String: Int] { statuses = by }
        }
        statuses = statuses.filter { $0.value != 0 }
    }

    private init(object o: [String: Any]) {
        tokens = o["tokens"] as? Int ?? 0
        events = o["events"] as? Int ?? 0
        for (key, name) in [("executed", "executed"), ("hits", "replayed"), ("mismatches", "mismatch"),
                            ("conflicts", "conflict"), ("reexecuted", "reexecuted")] {
            outcomes[name] = o[key] as? Int ?? 0
        }
    }

    var brief: String {
        let s = statuses.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        let out = outcomes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return "\(tokens) tokens, \(events) events; \(out); \(s)"
    }
}
