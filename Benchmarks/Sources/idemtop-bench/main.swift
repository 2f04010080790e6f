import Foundation
import IdemCore
import IdemStore

/// idemtop-bench: journal ingest and live-tail latency figures, printed as plain lines.
///
///     idemtop-bench journal [--tokens 1000000] [--dir D] [--keep] [--no-jq]
///     idemtop-bench tail [--rate 10000] [--seconds 10] [--dir D]
///     idemtop-bench stats --journal PATH [--binary .build/release/idemtop]
///     idemtop-bench ingest PATH [--no-ledger] [--no-index]   (the child the journal benchmark runs)

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

let args = Array(CommandLine.arguments.dropFirst())
guard let command = args.first else {
    fail("usage: idemtop-bench journal [--tokens N] [--dir D] [--keep] [--no-jq] | tail [--rate R] [--seconds S]")
}

switch command {
case "ingest":
    guard args.count >= 2 else { fail("usage: idemtop-bench ingest PATH") }
    IngestBench.child(path: args[1], ledger: !args.contains("--no-ledger"), index: !args.contains("--no-index"))
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
case "postgres":
    PostgresBench.run(rows: option("--rows", args).flatMap(Int.init) ?? 1_000_000, url: option("--url", args),
                      ledger: !args.contains("--no-ledger"))
default:
    fail("unknown command \(command)")
}
