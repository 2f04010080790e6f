import Foundation
import IdemCore
import IdemStore

/// The journal benchmark: generate a journal, ingest it in a fresh child process, compare with jq.
enum IngestBench {
    static func parent(tokens: Int, dir: String, keep: Bool, jq: Bool) {
        let path = (dir as NSString).appendingPathComponent("idemtop-bench-\(tokens).jsonl")
        print("journal benchmark: \(tokens) tokens, file \(path)")
        let g0 = monotonicNanos()
        let written: (events: Int, bytes: Int)
        do { written = try JournalGenerator(tokens: tokens).write(to: path) } catch { fail("generate: \(error)") }
        let gs = Double(monotonicNanos() - g0) / 1e9
        print(String(format: "generated: %d events, %.1f MB (avg %.0f bytes/line) in %.2f s (encoder %.0f MB/s)",
                     written.events, Double(written.bytes) / 1e6, Double(written.bytes) / Double(written.events),
                     gs, Double(written.bytes) / 1e6 / gs))
        defer { if !keep { try? FileManager.default.removeItem(atPath: path) } }

        let me = CommandLine.arguments[0]
        let variants: [(String, [String])] = [
            ("ingest (read + decode + token index + Ledger.apply)", []),
            ("read + decode only (no ledger, no index)", ["--no-ledger", "--no-index"]),
        ]
        var counts = ""
        for (label, flags) in variants {
            do {
                let (_, out, status) = try run(me, ["ingest", path] + flags)
                guard status == 0 else { fail("ingest child failed with status \(status)") }
                print("\(label):")
                for line in out.split(separator: "\n") {
                    if line.hasPrefix("outcome ") { if flags.isEmpty { counts += line + "\n" } } else { print("  " + line) }
                }
            } catch {
                fail("ingest child: \(error)")
            }
        }
        print("outcome counts (idemtop):")
        print(counts, terminator: "")
        guard jq else { return }
        do {
            let script = "jq -c 'select(.kind==\"request\") | .outcome' \"$1\" | sort | uniq -c"
            let (secs, out, status) = try run("/bin/sh", ["-c", script, "sh", path])
            print(String(format: "jq 1.6 (select requests | .outcome | sort | uniq -c): %.2f s, %.1f MB/s, status %d",
                         secs, Double(written.bytes) / 1e6 / secs, status))
            print(out.split(separator: "\n").map { "  jq" + $0 }.joined(separator: "\n"))
        } catch {
            print("jq: could not run (\(error))")
        }
    }

    /// The measured part, in its own process so its peak memory is its own.
    static func child(path: String, ledger useLedger: Bool, index: Bool) {
        let before = peakRSSMiB()
        do {
            let reader = try JournalReader(path: path, indexTokens: index)
            var ledger = Ledger()
            var events = 0
            var malformed = 0
            let c0 = cpuSeconds()
            let t0 = monotonicNanos()
            if useLedger {
                events = try reader.poll(limit: .max, { ledger.apply($0) }, malformed: { ledger.noteMalformed($0) })
            } else {
                events = try reader.poll(limit: .max, { _ in }, malformed: { _ in malformed += 1 })
            }
            let secs = Double(monotonicNanos() - t0) / 1e9
            let cpu = cpuSeconds() - c0
            let bytes = Double(reader.offset)
            print(String(format: "events %d, malformed %d, %.1f MB in %.3f s wall: %.0f MB/s, %.2f M events/s",
                         events, malformed + ledger.malformedCount, bytes / 1e6, secs, bytes / 1e6 / secs,
                         Double(events) / 1e6 / secs))
            print(String(format: "CPU time (user+sys) %.3f s: %.0f MB/s of CPU on one thread", cpu, bytes / 1e6 / cpu))
            print(String(format: "peak RSS (VmHWM) %.0f MiB, RSS after the load %.0f MiB (process baseline %.0f MiB); "
                         + "tokens %d", peakRSSMiB(), currentRSSMiB(), before, ledger.count))
            if useLedger {
                for o in Outcome.allCases { print("outcome \(o.rawValue) \(ledger.counts[o])") }
                // Opening one token: the detail path through the per-token chain.
                if index, let r = ledger.records.dropFirst(ledger.count / 2).first {
                    let d0 = monotonicNanos()
                    let d = try reader.detail(for: TokenKey(tenant: ledger.tenant(of: r), token: r.token))
                    print(String(format: "detail(for:) of one token: %d events in %.3f ms", d.timeline.count,
                                 Double(monotonicNanos() - d0) / 1e6))
                }
            }
        } catch {
            fail("ingest: \(error)")
        }
    }
}
