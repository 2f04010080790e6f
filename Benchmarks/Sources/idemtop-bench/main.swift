import Foundation
import IdemCore
import IdemStore

/// idemtop-bench: idemtop against its peers, journal ingest and live-tail latency figures, printed as plain lines.
/// `idemtop-bench --help` lists the commands (`usage` below).

func option(_ name: String, _ args: [String]) -> String? {
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    return args[i + 1]
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(2)
}

/// The peak resident set size of this process in MiB (VmHWM).
func peakRSSMiB() -> Double { statusMiB("VmHWM:") }

/// The current resident set size of this process in MiB (VmRSS).
func currentRSSMiB() -> Double { statusMiB("VmRSS:") }

func statusMiB(_ field: String) -> Double {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
    for line in text.split(separator: "\n") where line.hasPrefix(field) {
        let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? -1
        return kb / 1024
    }
    return -1
}

/// User plus system CPU seconds of this process so far: steadier than wall time on a shared machine.
func cpuSeconds() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
}

func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// Runs a command, returns (seconds, stdout).
func run(_ executable: String, _ arguments: [String]) throws -> (Double, String, Int32) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    let pipe = Pipe()
    p.standardOutput = pipe
    let t0 = monotonicNanos()
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (Double(monotonicNanos() - t0) / 1e9, String(decoding: data, as: UTF8.self), p.terminationStatus)
}

let usage = """
    usage: idemtop-bench COMMAND [OPTIONS]   (build with: swift build -c release --package-path Benchmarks)

      peers --journal PATH [--sqlite PATH] [--rounds 3] [--at TIME] [--binary PATH]
          idemtop against the tools a user would reach for instead, on the same files in one run, in turn each
          round: `idemtop stats --no-cache`, DuckDB's read_ndjson (from PyPI, in a venv made once under
          ~/.cache/idemtop-bench/duckdb-venv or $IDEMTOP_BENCH_VENV) and `wc -l` on the journal; `idemtop stats`
          and the sqlite3 CLI on its SQLite copy (PATH with .db, made with the bulk loader when missing), then
          `idemtop stats` through the cache folder (round 1 writes the fold checkpoint, later rounds reopen). Every one
          computes the summary stats prints (tokens, events, requests by outcome, tokens by status at TIME,
          default 2026-11-29T06:10:00Z); the answers are compared. Prints each run, the medians, the ratios
          idemtop/peer and the load average.
      scaling [--tokens 100000,300000,1000000,3000000] [--dir D] [--sqlite-up-to 1000000] [--binary PATH]
          cold `idemtop stats` and `idemtop list --limit 1` at each size (journals generated into D when missing,
          their SQLite copies up to --sqlite-up-to tokens); for a journal also the runs through the cache folder
          (D/idemtop-bench-cache): stats writing the fold checkpoint, stats and list --limit 10 reopening from it,
          show TOKEN writing and reading the token index. Time, user+sys CPU, peak RSS, bytes a token (Markdown).
      journal [--tokens 1000000] [--dir D] [--keep] [--no-jq]
          writes a generated journal (about 3.2 events and 1.5 KB a token) and ingests it in a child process:
          throughput, CPU time, peak RSS; jq for comparison.
      stats --journal PATH [--binary PATH]
          cold `idemtop stats` on the journal and its SQLite copy, twice each: time, MB/s, peak RSS.
      tail [--rate 10000] [--seconds 10] [--dir D]
          write-to-read latency of a reader polling every 2 ms while a writer appends at RATE events/s.
      redis [--records 1000000] [--binary PATH] [--python .build/powertools-venv/bin/python] [--compare PATH] [--rounds N]
          N Powertools records in a local redis-server (started here on a free port): idemtop's scan against
          `redis-cli --scan | xargs redis-cli mget` and redis-py (scan_iter + pipelined get), keys/s and peak RSS.
      postgres [--rows 1000000] [--url postgres://...] [--no-ledger]
          N rocket-rides rows (in a throwaway PostgreSQL 15 cluster made here, or the table at --url) read
          through idemtop's reader against psql's `\\copy` of the same columns: rows/s and peak RSS.
      ingest PATH [--no-ledger] [--no-index]
          the child the journal benchmark runs.
      fold PATH [--rounds 3]
          the halves of a cold read apart: PATH decoded into fold events on all cores ROUNDS times (each part
          dropped once decoded), then the fold alone on one thread over parts held in memory, ROUNDS times (from
          the second round with the ledger sized beforehand): time, CPU time, nanoseconds an event, peak RSS.

    --binary defaults to .build/release/idemtop (the main package's release build).
    """

let args = Array(CommandLine.arguments.dropFirst())
guard let command = args.first, command != "--help", command != "-h", command != "help" else {
    print(usage)
    exit(args.isEmpty ? 2 : 0)
}
// `idemtop-bench postgres --help` prints the usage; it does not start a benchmark.
if args.dropFirst().contains(where: { $0 == "--help" || $0 == "-h" }) {
    print(usage)
    exit(0)
}

switch command {
case "peers":
    guard let journal = option("--journal", args) else { fail(usage) }
    PeersBench.run(PeersBench.Options(
        journal: journal, sqlite: option("--sqlite", args), binary: option("--binary", args) ?? ".build/release/idemtop",
        rounds: option("--rounds", args).flatMap(Int.init) ?? 3, at: option("--at", args) ?? "2026-11-29T06:10:00Z"))
case "ingest":
    guard args.count >= 2 else { fail("usage: idemtop-bench ingest PATH") }
    IngestBench.child(path: args[1], ledger: !args.contains("--no-ledger"), index: !args.contains("--no-index"))
case "fold":
    guard args.count >= 2 else { fail("usage: idemtop-bench fold PATH [--rounds 3]") }
    FoldBench.run(path: args[1], rounds: option("--rounds", args).flatMap(Int.init) ?? 3)
case "scaling":
    let sizes = (option("--tokens", args) ?? "100000,300000,1000000,3000000").split(separator: ",").compactMap { Int($0) }
    ScalingBench.run(sizes: sizes, dir: option("--dir", args) ?? NSTemporaryDirectory(),
                     binary: option("--binary", args) ?? ".build/release/idemtop",
                     sqliteUpTo: option("--sqlite-up-to", args).flatMap(Int.init) ?? 1_000_000)
case "journal":
    let tokens = option("--tokens", args).flatMap(Int.init) ?? 1_000_000
    let dir = option("--dir", args) ?? NSTemporaryDirectory()
    IngestBench.parent(tokens: tokens, dir: dir, keep: args.contains("--keep"), jq: !args.contains("--no-jq"))
case "stats":
    guard let journal = option("--journal", args) else { fail("usage: idemtop-bench stats --journal PATH [--binary PATH]") }
    StatsBench.run(journal: journal, binary: option("--binary", args) ?? ".build/release/idemtop")
case "tail":
    let rate = option("--rate", args).flatMap(Int.init) ?? 10_000
    let seconds = option("--seconds", args).flatMap(Double.init) ?? 10
    let dir = option("--dir", args) ?? NSTemporaryDirectory()
    TailBench.run(rate: rate, seconds: seconds, dir: dir)
case "redis":
    RedisBench.run(records: option("--records", args).flatMap(Int.init) ?? 1_000_000,
                   binary: option("--binary", args) ?? ".build/release/idemtop",
                   python: option("--python", args) ?? ".build/powertools-venv/bin/python",
                   compare: option("--compare", args), rounds: option("--rounds", args).flatMap(Int.init) ?? 1)
case "postgres":
    PostgresBench.run(rows: option("--rows", args).flatMap(Int.init) ?? 1_000_000, url: option("--url", args),
                      ledger: !args.contains("--no-ledger"))
default:
    fail("unknown command \(command)\n" + usage)
}
