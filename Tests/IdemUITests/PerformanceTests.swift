import Foundation
import IdemCore
import IdemUI
import Testing

/// Timings over a million tokens, run only with `IDEMTOP_PERF=1` (use `-c release` for real figures):
/// `IDEMTOP_PERF=1 swift test -c release --filter PerformanceTests`.
@Suite struct PerformanceTests {
    static let enabled = ProcessInfo.processInfo.environment["IDEMTOP_PERF"] == "1"

    static func millionTokens() -> AppState {
        var s = AppState(storeName: "big.jsonl", storeKind: "journal", now: Fixture.now)
        _ = s.update(.resize(width: 200, height: 60))
        millionTokenEvents(time: { Fixture.at(-Int64($0 % 90_000)) }) { _ = s.update(.events($0, malformed: [])) }
        return s
    }

    /// A million UUID-like tokens, each executed at `time(i)`, a completion for one in 7, a replay for one in 13
    /// and, with `mismatchEvery`, a mismatch for one in that many; handed to `body` in batches of about 100,000.
    static func millionTokenEvents(time: (Int) -> Instant, mismatchEvery: Int? = nil, _ body: ([StoreEvent]) -> Void) {
        let tenants = ["acme", "globex", "initech", "umbrella", "hooli", "東京商事", "café-münchen"]
        let ops = ["POST /v1/charges", "POST /v1/refunds", "POST /v1/payouts", "PUT /v1/customers"]
        var batch: [StoreEvent] = []
        batch.reserveCapacity(100_000)
        for i in 0..<1_000_000 {
            let t = time(i)
            var e = StoreEvent(kind: .request, at: t, tenant: tenants[i % tenants.count],
                               token: String(format: "%08x-%04x-4e2b-9c1d-%012x", i &* 2_654_435_761 & 0xffff_ffff,
                                             i % 65_536, i),
                               operation: ops[i % ops.count], fingerprint: Fixture.fpA, outcome: .executed)
            e.expiresAt = t + .hours(24)
            e.lockedUntil = t + .seconds(60)
            batch.append(e)
            if i % 7 == 0 { batch.append(StoreEvent(kind: .completed, at: t + .seconds(1), tenant: e.tenant, token: e.token)) }
            if i % 13 == 0 { batch.append(Fixture.request(e.tenant, e.token, e.operation ?? "", .replayed, at: t + .seconds(2))) }
            if let n = mismatchEvery, i % n == 0 {
                batch.append(Fixture.request(e.tenant, e.token, e.operation ?? "", .mismatch, at: t + .seconds(3),
                                             fingerprint: Fixture.fpB))
            }
            if batch.count >= 100_000 {
                body(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        body(batch)
    }

    static func ms(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    }

    @Test(.enabled(if: enabled)) func millionTokenFigures() {
        var s = AppState(storeName: "", storeKind: "", now: Fixture.now)
        let build = Self.ms { s = Self.millionTokens() }
        #expect(s.ledger.count == 1_000_000)
        let reindex = Self.ms { s.reindex() }
        var grid = Grid(width: 200, height: 60)
        render(s, theme: BuiltinThemes.standard, into: &grid)
        var frames: [Double] = []
        for i in 0..<50 {
            _ = s.update(.key(i % 2 == 0 ? .pageDown : .char("j")))
            frames.append(Self.ms { render(s, theme: BuiltinThemes.standard, into: &grid) })
        }
        frames.sort()
        _ = s.setFilter("acme status:in_progress hits>0")
        let filter1 = Self.ms { s.reindex() }
        let matched = s.index.count
        _ = s.setFilter("4e2b")
        let filterText = Self.ms { s.reindex() }
        _ = s.setFilter("zzz-nothing")
        let filterNone = Self.ms { s.reindex() }
        s.sort(by: .token)
        _ = s.setFilter("")
        let tokenSort = Self.ms { s.reindex() }
        // The findings first, so that the tick measures the statuses alone (nothing is dirty after a forced refresh).
        s.now = Fixture.at(3600)
        let findings = Self.ms { s.refreshFindings(force: true) }
        let found = s.findings.findings.count
        let advance = Self.ms { _ = s.update(.tick(Fixture.at(3600))) }
        print(String(format: """
            PERF 1,000,000 tokens: generating and applying %d events (ledger, status tally, rates, tail) %.0f ms; reindex (sort by last seen) %.1f ms; frame 200x60 median %.2f ms, p90 %.2f ms, \
            max %.2f ms; filter 'acme status:in_progress hits>0' %.1f ms (%d rows); filter '4e2b' (every token) %.1f ms; \
            filter with no match %.1f ms; sort by token %.1f ms; findings and the age histogram recomputed %.1f ms (%d findings); \
            a tick one hour on (deadlines passed) %.1f ms
            """, s.ledger.counts.events, build, reindex, frames[frames.count / 2], frames[frames.count * 9 / 10], frames.last ?? 0, filter1, matched,
                     filterText, filterNone, tokenSort, findings, found, advance))
    }

    /// The detectors alone, per event, on the dashboard's hot path: a million UUID-like tokens (executions, a
    /// completion for one in 7, a replay for one in 13, a mismatch for one in 101) over 25 hours, timed in batches so
    /// that building the events is not counted.
    @Test(.enabled(if: enabled)) func detectorPerEventFigures() {
        var detector = FindingsDetector()
        var observed = 0
        var ns: UInt64 = 0
        var cpu: UInt64 = 0
        Self.millionTokenEvents(time: { Fixture.at(Int64($0 / 11)) }, mismatchEvery: 101) { batch in
            let start = DispatchTime.now().uptimeNanoseconds
            let startCPU = Self.threadCPUNanoseconds()
            for e in batch { detector.observe(e) }
            cpu += Self.threadCPUNanoseconds() - startCPU
            ns += DispatchTime.now().uptimeNanoseconds - start
            observed += batch.count
        }
        #expect(detector.observed == observed)
        // The thread's CPU time as well as the wall time: on a loaded machine the wall time mostly measures the load.
        print(String(format: "PERF detectors: %d events observed in %.0f ms, %.3f µs per event (CPU time %.3f µs)",
                     observed, Double(ns) / 1e6, Double(ns) / 1e3 / Double(observed),
                     Double(cpu) / 1e3 / Double(observed)))
    }

    /// The CPU time this thread has used, in nanoseconds.
    static func threadCPUNanoseconds() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
    }
}
