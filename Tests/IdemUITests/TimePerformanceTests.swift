import Foundation
import IdemCore
import IdemUI
import Testing

/// The time terms and the histogram over a million tokens, run only with `IDEMTOP_PERF=1` (use `-c release`):
/// `IDEMTOP_PERF=1 swift test -c release --filter TimePerformanceTests`.
@Suite struct TimePerformanceTests {
    @Test(.enabled(if: PerformanceTests.enabled)) func timeTermsAndHistogramFigures() {
        var s = PerformanceTests.millionTokens()
        #expect(s.ledger.count == 1_000_000)
        let events = s.ledger.times.count
        // A window of an hour in the middle of the 25 hours the tokens span, then a created> cut, then both.
        let from = AppState.shortRFC3339(Fixture.at(-50_000)), to = AppState.shortRFC3339(Fixture.at(-46_400))
        _ = s.setFilter("at:\(from)..\(to)")
        let at = PerformanceTests.ms { s.reindex() }
        let atRows = s.index.count
        _ = s.setFilter("created>\(from)")
        let created = PerformanceTests.ms { s.reindex() }
        let createdRows = s.index.count
        _ = s.setFilter("acme at:-2h.. seen<-30m")
        let mixed = PerformanceTests.ms { s.reindex() }
        _ = s.setFilter("")
        s.reindex()
        let whole = PerformanceTests.ms {
            _ = Histogram(times: s.ledger.times, include: nil, zoom: .minute)
        }
        _ = s.setFilter("acme")
        s.reindex()
        let filtered = PerformanceTests.ms { s.rebuildHistogram(force: true) }
        let bars = s.histogram.data.bucketCount
        let hour = PerformanceTests.ms {
            _ = Histogram(times: s.ledger.times, include: nil, zoom: .hour)
        }
        print(String(format: """
            PERF time 1,000,000 tokens, %d events: filter at: (an hour) %.1f ms (%d rows); created> %.1f ms (%d rows); \
            'acme at:-2h.. seen<-30m' %.1f ms; histogram per minute, whole store %.1f ms; under the filter 'acme' \
            (reindex included) %.1f ms (%d bars); per hour %.1f ms; EventTimes %.1f MB (12 bytes an event)
            """, events, at, atRows, created, createdRows, mixed, whole, filtered, bars, hour,
                     Double(events * 12) / 1e6))
        #expect(atRows > 0 && createdRows > 0)
    }
}
