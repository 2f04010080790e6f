import IdemCore
import Testing

@Suite struct TimeSpecTests {
    static func t(_ s: String) -> Instant { Instant(rfc3339: s) ?? Instant(ms: -1) }

    @Test func parsesEachForm() {
        #expect(TimeSpec(parsing: "2026-11-29T07:14:00Z") == .absolute(Self.t("2026-11-29T07:14:00Z")))
        #expect(TimeSpec(parsing: "07:14") == .timeOfDay(ms: (7 * 60 + 14) * 60_000, seconds: false))
        #expect(TimeSpec(parsing: "07:14:30") == .timeOfDay(ms: ((7 * 60 + 14) * 60 + 30) * 1000, seconds: true))
        #expect(TimeSpec(parsing: "-15m") == .relative(-.minutes(15)))
        #expect(TimeSpec(parsing: "-2h") == .relative(-.hours(2)))
        #expect(TimeSpec(parsing: "-1d") == .relative(-.hours(24)))
        #expect(TimeSpec(parsing: "now") == .relative(TimeSpan(ms: 0)))
        for bad in ["", "7:14", "24:00", "07:60", "07:14:60", "-15", "yesterday", "07:1a", "2026-11-31T00:00:00Z"] {
            #expect(TimeSpec(parsing: bad) == nil, "\(bad)")
        }
        #expect(TimeSpec(parsing: "07:14")?.description == "07:14")
        #expect(TimeSpec(parsing: "-15m")?.description == "-15m")
    }

    @Test func timeOfDayIsTheMostRecentAtOrBeforeTheStoresNewestEvent() {
        let now = Self.t("2026-11-29T10:00:00Z")
        let spec = TimeSpec(parsing: "07:14")
        // A live store: today's 07:14.
        #expect(spec?.resolve(reference: now, anchor: Self.t("2026-11-29T09:59:00Z")) == Self.t("2026-11-29T07:14:00Z"))
        // A store written yesterday (its newest event yesterday evening): yesterday's 07:14, not today's.
        #expect(spec?.resolve(reference: now, anchor: Self.t("2026-11-28T22:00:00Z")) == Self.t("2026-11-28T07:14:00Z"))
        // Exactly at the anchor counts as at or before.
        #expect(spec?.resolve(reference: now, anchor: Self.t("2026-11-28T07:14:00Z")) == Self.t("2026-11-28T07:14:00Z"))
        // An empty store: the clock's day; a store whose newest event is in the future: still the clock.
        #expect(spec?.resolve(reference: now, anchor: nil) == Self.t("2026-11-29T07:14:00Z"))
        #expect(spec?.resolve(reference: Self.t("2026-11-29T07:00:00Z"), anchor: Self.t("2026-11-30T00:00:00Z"))
            == Self.t("2026-11-28T07:14:00Z"))
        // Relative and absolute times ignore the anchor.
        #expect(TimeSpec(parsing: "-15m")?.resolve(reference: now, anchor: nil) == Self.t("2026-11-29T09:45:00Z"))
    }

    @Test func windowsAreHalfOpenAndCrossMidnight() throws {
        let anchor = Self.t("2026-11-29T00:05:00Z")
        let w = try #require(TimeWindow(parsing: "23:50..00:10"))
        let (lo, hi) = w.resolve(reference: anchor, anchor: anchor)
        #expect(lo == Self.t("2026-11-28T23:50:00Z").ms)
        #expect(hi == Self.t("2026-11-29T00:10:00Z").ms)
        let open = try #require(TimeWindow(parsing: "07:00.."))
        #expect(open.resolve(reference: anchor, anchor: anchor).hi == Int64.max)
        let upTo = try #require(TimeWindow(parsing: "..2026-11-29T00:00:00Z"))
        #expect(upTo.resolve(reference: anchor, anchor: anchor) == (Int64.min, Self.t("2026-11-29T00:00:00Z").ms))
        #expect(TimeWindow(parsing: "..") == nil)
        #expect(TimeWindow(parsing: "07:00..soon") == nil)
        #expect(TimeWindow(parsing: "07:00..07:30")?.description == "07:00..07:30")
    }

    @Test func eventTimesFlagRecordsInAWindow() {
        var ledger = Ledger()
        let base = Self.t("2026-11-29T07:00:00Z")
        for (i, offset) in [0, 60, 120].enumerated() {
            ledger.apply(StoreEvent(kind: .request, at: base + .seconds(Int64(offset)), tenant: "t", token: "k\(i)",
                                    operation: "op", fingerprint: nil, outcome: .executed))
        }
        let flags = ledger.times.records(from: (base + .seconds(60)).ms, to: (base + .seconds(120)).ms, of: ledger.count)
        #expect(flags == [false, true, false])
        #expect(ledger.times.span?.last == base + .seconds(120))
    }
}
