import Foundation
import IdemCore
import IdemStore

/// The two halves of a cold read apart: the journal decoded into fold events on all cores (what `stats` reads), each
/// part dropped once decoded, several times; then decoded again with every part kept, and the fold alone on one
/// thread over the parts held in memory, several times. Run together, the halves share the
/// two cores and each one's time moves with the other's; apart, a change to one shows in its own figure.
enum FoldBench {
    static func run(path: String, rounds: Int) {
        do {
            for round in 1...max(1, rounds) {
                // Each part dropped once decoded, as a load's fold does once it has applied it.
                let reader = try JournalReader(path: path, indexTokens: false)
                var events = 0
                let t0 = monotonicNanos(), c0 = cpuSeconds()
                try ReadAhead.drainFolds(reader) { part, _ in events += part.events.count }
                let secs = Double(monotonicNanos() - t0) / 1e9
                print(String(format: "round %d decode: %.3f s wall, %.3f s CPU, %.0f MB/s; %d events", round, secs,
                             cpuSeconds() - c0, Double(reader.offset) / 1e6 / secs, events))
            }
            let reader = try JournalReader(path: path, indexTokens: false)
            var parts: [FoldPart] = []
            var malformed = 0
            var t0 = monotonicNanos()
            var c0 = cpuSeconds()
            try ReadAhead.drainFolds(reader) { part, bad in
                parts.append(part)
                malformed += bad.count
            }
            let events = parts.reduce(0) { $0 + $1.events.count }
            print(String(format: "decode, every part kept: %.3f s wall, %.3f s CPU; %d events in %d parts, "
                         + "%d malformed; %.0f MB/s", Double(monotonicNanos() - t0) / 1e9, cpuSeconds() - c0,
                         events, parts.count, malformed, Double(reader.offset) / 1e6 / (Double(monotonicNanos() - t0) / 1e9)))
            var tokens = 0
            for round in 1...max(1, rounds) {
                var ledger = Ledger()
                // As a load does once it can estimate the sizes (LoadSizeEstimate): from the second round on, the
                // first round's figures.
                if tokens > 0 { ledger.reserveCapacity(tokens: tokens, events: events, indexed: tokens) }
                t0 = monotonicNanos()
                c0 = cpuSeconds()
                for part in parts { _ = ledger.apply(part, until: nil) }
                let secs = Double(monotonicNanos() - t0) / 1e9
                print(String(format: "round %d fold%@: %.3f s wall, %.3f s CPU, %.0f ns an event; %d tokens",
                             round, tokens > 0 ? " (reserved)" : "", secs, cpuSeconds() - c0,
                             secs * 1e9 / Double(max(1, events)), ledger.count))
                tokens = ledger.count
            }
            print(String(format: "peak RSS (VmHWM) %.0f MiB", peakRSSMiB()))
        } catch {
            fail("fold: \(error)")
        }
    }
}
