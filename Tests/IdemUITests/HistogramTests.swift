import IdemCore
import IdemUI
import Testing

/// The histogram: its counts, its keys, and its snapshots.
@Suite struct HistogramTests: DrivesState {
    static let start = Instant(rfc3339: "2026-11-28T06:00:00Z") ?? Instant(ms: 0)

    /// Two hours of traffic, minute by minute: a varying number of first requests, a replay each third minute,
    /// a mismatch each seventh, a conflict each eleventh, a reexecution at minute 74 and a burst at 07:14.
    static var traffic: [StoreEvent] {
        var out: [StoreEvent] = []
        for m in 0..<120 {
            let t0 = start + .minutes(Int64(m))
            let n = m == 74 ? 40 : 4 + (m * 7) % 13
            for i in 0..<n {
                let token = "m\(m)-\(i)"
                out.append(Fixture.request("umbrella", token, "POST /v1/charges", .executed, at: t0 + .seconds(Int64(i % 60))))
                if m % 3 == 0, i == 0 { out.append(Fixture.request("umbrella", token, "POST /v1/charges", .replayed, at: t0 + .seconds(30))) }
                if m % 7 == 0, i == 1 {
                    out.append(Fixture.request("umbrella", token, "POST /v1/charges", .mismatch, at: t0 + .seconds(40),
                                               fingerprint: Fixture.fpB))
                }
                if m % 11 == 0, i == 2 { out.append(Fixture.request("acme", token, "POST /v1/charges", .conflict, at: t0 + .seconds(50))) }
            }
            if m == 74 { out.append(Fixture.request("umbrella", "m0-0", "POST /v1/charges", .reexecuted, at: t0 + .seconds(59))) }
        }
        return out
    }

    static func state(width: Int = 80, height: Int = 24) -> AppState {
        var s = AppState(storeName: "payments.jsonl", storeKind: "journal", now: start + .hours(3))
        _ = s.update(.resize(width: width, height: height))
        _ = s.update(.events(traffic, malformed: []))
        _ = s.update(.progress(LoadStatus(done: 1, total: 1, unit: "bytes", rate: 0, finished: true)))
        _ = s.update(.tick(start + .hours(3)))
        _ = s.update(.reindex)
        return s
    }

    @Test func countsRequestsPerBucketByOutcome() {
        let s = Self.state()
        let h = Histogram(times: s.ledger.times, include: nil, zoom: .minute)
        #expect(h.bucketCount == 120)
        #expect(h.window(0).start == Self.start)
        // Minute 74 (07:14): 40 first requests, a mismatch? no (74 % 7 != 0), a reexecution.
        #expect(h.count(74, .executed) == 40)
        #expect(h.count(74, .reexecuted) == 1)
        #expect(h.count(0, .replayed) == 1 && h.count(0, .mismatch) == 1 && h.count(0, .conflict) == 1)
        #expect(h.total(1) == 4 + 7)
        let tens = Histogram(times: s.ledger.times, include: nil, zoom: .tenMinutes)
        #expect(tens.bucketCount == 12)
        #expect((0..<12).map { tens.total($0) }.reduce(0, +) == (0..<120).map { h.total($0) }.reduce(0, +))
        let hours = Histogram(times: s.ledger.times, include: nil, zoom: .hour)
        #expect(hours.bucketCount == 2)
    }

    @Test func keysMoveZoomAndEnterFiltersByTheBar() {
        var s = Self.state()
        _ = press(&s, .char("i"))
        #expect(s.mode == .histogram)
        #expect(s.histogram.cursor == 119)
        _ = press(&s, .char("h"), .left)
        #expect(s.histogram.cursor == 117)
        _ = press(&s, .char("g"))
        #expect(s.histogram.cursor == 0)
        _ = press(&s, .char("l"))
        #expect(s.histogram.cursor == 1)
        _ = press(&s, .char("G"))
        #expect(s.histogram.cursor == 119)
        for _ in 0..<(119 - 74) { _ = press(&s, .char("h")) }
        #expect(s.histogram.data.window(s.histogram.cursor).start == Self.start + .minutes(74))
        // Zooming out keeps the cursor's instant: 07:14 is in the 07:10 bar.
        _ = press(&s, .char("Z"))
        #expect(s.histogram.zoom == .tenMinutes)
        #expect(s.histogram.data.window(s.histogram.cursor).start == Self.start + .minutes(70))
        _ = press(&s, .char("z"))
        #expect(s.histogram.zoom == .minute)
        _ = press(&s, .char("z"))
        #expect(s.histogram.zoom == .minute)
        for _ in 0..<4 { _ = press(&s, .char("l")) }
        #expect(s.histogram.data.window(s.histogram.cursor).start == Self.start + .minutes(74))
        // Enter: the bar's window goes into the filter, the table shows its tokens.
        _ = press(&s, .enter)
        #expect(s.mode == .main)
        #expect(s.filter.source == "at:2026-11-28T07:14:00Z..2026-11-28T07:15:00Z")
        s.reindex()
        #expect(s.index.count == 41)  // 40 first requests and the token reexecuted then
        // A second bar replaces the at: term and keeps the others.
        _ = s.setFilter("tenant:acme at:07:00..08:00")
        _ = press(&s, .char("i"), .char("G"), .enter)
        #expect(s.filter.source == "tenant:acme at:2026-11-28T07:50:00Z..2026-11-28T07:51:00Z")
        _ = press(&s, .char("i"), .escape)
        #expect(s.mode == .main)
    }

    @Test func aFilterNarrowsTheBars() {
        var s = Self.state()
        _ = s.setFilter("tenant:acme")
        _ = press(&s, .char("i"))
        // Only conflicts' tokens are under acme: one a bucket every 11 minutes.
        #expect(s.histogram.data.bucketCount == 111)
        #expect(s.histogram.data.total(0) == 1)
        #expect(s.histogram.data.count(0, .conflict) == 1)
    }

    @Test(arguments: [(80, 24), (120, 40)])
    func snapshots(width: Int, height: Int) {
        var s = Self.state(width: width, height: height)
        _ = press(&s, .char("i"))
        for _ in 0..<(119 - 74) { _ = press(&s, .char("h")) }
        assertSnapshot(Fixture.rendered(s), theme: BuiltinThemes.standard, named: "histogram-\(width)x\(height)")
        _ = press(&s, .char("Z"))
        assertSnapshot(Fixture.rendered(s), theme: BuiltinThemes.standard, named: "histogram-10m-\(width)x\(height)")
    }
}

/// The histogram's other keys, and the filter's time terms as parsed.
@Suite struct HistogramKeyTests: DrivesState {
    @Test func pagesHelpFilterAndQuit() {
        var s = HistogramTests.state()
        _ = press(&s, .char("i"), .char("g"))
        let page = s.histogramBars - 1
        _ = press(&s, .pageDown)
        #expect(s.histogram.cursor == page)
        _ = press(&s, .char("L"))
        #expect(s.histogram.cursor == min(119, 2 * page))
        _ = press(&s, .char("H"), .pageUp)
        #expect(s.histogram.cursor == 0)
        _ = press(&s, .char("?"))
        #expect(s.mode == .help)
        _ = press(&s, .escape)
        #expect(s.mode == .histogram)
        // `/` filters from the histogram; the bars follow the filter's rows.
        _ = press(&s, .char("/"))
        for c in "tenant:acme" { _ = press(&s, .char(c)) }
        _ = press(&s, .enter)
        _ = s.update(.reindex)
        #expect(s.mode == .histogram && s.histogram.data.total(0) == 1)
        _ = press(&s, .char("i"))
        #expect(s.mode == .main)
        _ = press(&s, .char("i"))
        #expect(press(&s, .char("q")) == [.quit])
        _ = press(&s, .backspace)
        #expect(s.mode == .main)
    }

    @Test func timeTermsParse() throws {
        func terms(_ text: String) -> [Filter.Term]? { try? Filter.parse(text).get().terms }
        let t = Instant(rfc3339: "2026-11-28T07:14:00Z") ?? Instant(ms: 0)
        #expect(terms("at:07:00..07:30") == [.at(TimeWindow(from: .timeOfDay(ms: 25_200_000, seconds: false),
                                                               to: .timeOfDay(ms: 27_000_000, seconds: false)))])
        #expect(terms("created>2026-11-28T07:14:00Z seen<=-15m") == [.created(.gt, .absolute(t)),
                                                                    .seen(.le, .relative(-.minutes(15)))])
        #expect(terms("!at:-1h.. body:CUS_42") == [.not(.at(TimeWindow(from: .relative(-.hours(1)), to: nil))),
                                                   .body("cus_42")])
        #expect(try Filter.parse("body:a body:b !body:a").get().bodyNeedles == ["a", "b"])
        for bad in ["at:", "at:soon", "created>tomorrow", "seen<7:14", "at:07:00..08:00..09:00"] {
            #expect(terms(bad) == nil, "\(bad)")
        }
        if case .failure(let e) = Filter.parse("created>tomorrow") { #expect(e.message.contains("created needs a time")) }
    }
}
