import Foundation
import IdemCore
import IdemStore

/// Write times shared between the writer thread and the reader: slot i is set before event i is written.
final class WriteTimes: @unchecked Sendable {
    let slots: UnsafeMutablePointer<UInt64>
    let count: Int
    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: count)
        slots.initialize(repeating: 0, count: count)
    }
    deinit { slots.deallocate() }
}

/// The tail benchmark: a writer thread runs begin/complete through `JournalWriter` at a fixed event rate while a
/// `JournalReader` polls every 2 ms; prints the write-to-read latency of every event.
enum TailBench {
    static func run(rate: Int, seconds: Double, dir: String) {
        let path = (dir as NSString).appendingPathComponent("idemtop-bench-tail-\(getpid()).jsonl")
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let total = max(2, Int(Double(rate) * seconds)) / 2 * 2
        let times = WriteTimes(count: total)
        print("tail benchmark: \(rate) events/s for \(seconds) s (\(total) events, begin+complete pairs), reader polls every 2 ms")

        let writerDone = DispatchSemaphore(value: 0)
        let writer = Thread {
            defer { writerDone.signal() }
            do {
                let w = try JournalWriter(path: path, clock: SystemClock(), create: false)
                let fp = Fingerprint(String(repeating: "ab", count: 32))
                let req = StoredRequest(method: "POST", path: "/v1/charges", headers: ["Content-Type": "application/json"],
                                        body: #"{"amount":1000,"currency":"eur"}"#)
                let resp = StoredResponse(status: 201, body: #"{"id":"ch_1","status":"succeeded"}"#)
                let start = monotonicNanos()
                let interval = 1e9 / Double(rate)
                var i = 0
                while i < total {
                    // Catch up to the schedule, then sleep until the next event is due.
                    let due = start + UInt64(Double(i) * interval)
                    let now = monotonicNanos()
                    if now < due { usleep(useconds_t(max(1, (due - now) / 1000))); continue }
                    times.slots[i] = monotonicNanos()
                    let r = try w.begin(tenant: "bench", token: "b\(i / 2)", operation: "POST /v1/charges",
                                        fingerprint: fp, request: req)
                    guard case .execute(let ticket, _) = r else { fail("tail writer: unexpected \(r)") }
                    times.slots[i + 1] = monotonicNanos()
                    try w.complete(ticket, response: resp)
                    i += 2
                }
            } catch {
                fail("tail writer: \(error)")
            }
        }
        do {
            let reader = try JournalReader(path: path)
            var latencies: [UInt64] = []
            latencies.reserveCapacity(total)
            writer.start()
            let deadline = monotonicNanos() + UInt64((seconds + 30) * 1e9)
            var lastPoll = monotonicNanos()
            var gaps: [UInt64] = []
            while latencies.count < total && monotonicNanos() < deadline {
                let t = monotonicNanos()
                gaps.append(t &- lastPoll)
                lastPoll = t
                _ = try reader.poll(limit: .max, { e in
                    let seen = monotonicNanos()
                    guard let n = Int(e.token.dropFirst()) else { return }
                    let slot = n * 2 + (e.kind == .completed ? 1 : 0)
                    if slot < total { latencies.append(seen &- times.slots[slot]) }
                }, malformed: { m in print("malformed line \(m.position): \(m.reason)") })
                usleep(2000)
            }
            writerDone.wait()
            latencies.sort()
            func pct(_ p: Double) -> Double {
                guard !latencies.isEmpty else { return .nan }
                return Double(latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]) / 1e6
            }
            let span = Double(times.slots[total - 1] &- times.slots[0]) / 1e9
            print(String(format: "events seen: %d of %d; the writer kept %.0f events/s", latencies.count, total,
                         Double(total - 1) / max(span, 1e-9)))
            print(String(format: "write-to-read latency: p50 %.2f ms, p99 %.2f ms, max %.2f ms", pct(0.5), pct(0.99),
                         Double(latencies.last ?? 0) / 1e6))
            gaps.sort()
            // The reader sleeps 2 ms a round: longer gaps are the machine not running it (other processes' work).
            print(String(format: "reader loop: %d polls, gap between polls p50 %.2f ms, p99 %.2f ms, max %.2f ms",
                         gaps.count, Double(gaps[gaps.count / 2]) / 1e6, Double(gaps[gaps.count * 99 / 100]) / 1e6,
                         Double(gaps.last ?? 0) / 1e6))
            print(String(format: "load average at the end: %@", loadAverage()))
            print(String(format: "peak RSS (VmHWM) %.0f MiB", peakRSSMiB()))
        } catch {
            fail("tail reader: \(error)")
        }
    }
}

/// The first three fields of /proc/loadavg.
func loadAverage() -> String {
    let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
    return text.split(separator: " ").prefix(3).joined(separator: " ")
}
