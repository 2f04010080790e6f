import IdemCore

/// The histogram view's state: the zoom, the bar under the cursor, and the counts it shows.
public struct HistogramState: Sendable, Hashable {
    public var zoom = Histogram.Zoom.minute
    /// The bucket under the cursor.
    public var cursor = 0
    /// The first bucket on screen.
    public var left = 0
    public var data = Histogram()
    /// What `data` was built from (events applied, filter, zoom), to rebuild only when one moved.
    var builtFrom: BuildKey?

    struct BuildKey: Sendable, Hashable {
        var events: Int
        var filter: String
        var rows: Int
        var zoom: Histogram.Zoom
    }

    public init() {}
}

extension AppState {
    /// Opens the histogram with the cursor on the newest bar.
    public mutating func openHistogram() {
        mode = .histogram
        rebuildHistogram(force: true)
        histogram.cursor = max(0, histogram.data.bucketCount - 1)
        keepBarVisible()
    }

    /// Rebuilds the counts when the events, the filter's rows or the zoom moved (the cursor keeps its instant).
    public mutating func rebuildHistogram(force: Bool = false) {
        if indexStale { reindex() }
        let key = HistogramState.BuildKey(events: ledger.times.count, filter: filter.source, rows: index.count,
                                          zoom: histogram.zoom)
        guard force || key != histogram.builtFrom else { return }
        let at = histogram.data.bucketCount > 0 ? histogram.data.window(histogram.cursor).start : nil
        var include: [Bool]?
        if !filter.isEmpty {
            var flags = [Bool](repeating: false, count: ledger.count)
            for r in index.rows { flags[Int(r)] = true }
            include = flags
        }
        histogram.data = Histogram(times: ledger.times, include: include, zoom: histogram.zoom)
        histogram.builtFrom = key
        if let at { histogram.cursor = histogram.data.bucket(of: at) }
        histogram.cursor = max(0, min(histogram.cursor, histogram.data.bucketCount - 1))
        keepBarVisible()
    }

    /// Columns a bar takes: one, or wider (up to 6) when the buckets do not fill the screen.
    var histogramBarWidth: Int {
        let columns = max(1, width - HistogramView.axisWidth - 1)
        return max(1, min(6, columns / max(1, histogram.data.bucketCount)))
    }

    /// Bars that fit across the screen.
    public var histogramBars: Int { max(1, (width - HistogramView.axisWidth - 1) / histogramBarWidth) }

    mutating func keepBarVisible() {
        let w = histogramBars
        let c = histogram.cursor
        if c < histogram.left { histogram.left = c }
        if c >= histogram.left + w { histogram.left = c - w + 1 }
        histogram.left = max(0, min(histogram.left, max(0, histogram.data.bucketCount - w)))
    }

    mutating func moveBar(to b: Int) {
        histogram.cursor = max(0, min(histogram.data.bucketCount - 1, b))
        keepBarVisible()
    }

    /// Keys in the histogram: move over the bars, zoom, Enter filters by the bar's window.
    mutating func handleHistogram(_ key: Key) -> [Effect] {
        let page = max(1, histogramBars - 1)
        let at = histogram.cursor
        switch key {
        case .char("q"): return [.quit]
        case .escape, .backspace, .char("i"):
            mode = .main
        case .char("?"), .function(1):
            mode = .help
            helpReturnsTo = .histogram
            helpScroll = 0
        case .char(":"):
            input = .command(text: "")
        case .char("/"):
            input = .filter(text: filter.source, previous: filter)
        case .char("l"), .right: moveBar(to: at + 1)
        case .char("h"), .left: moveBar(to: at - 1)
        case .pageDown, .char("L"), .ctrl("f"): moveBar(to: at + page)
        case .pageUp, .char("H"), .ctrl("b"): moveBar(to: at - page)
        case .char("g"), .home: moveBar(to: 0)
        case .char("G"), .end: moveBar(to: histogram.data.bucketCount - 1)
        case .char("z"), .char("+"):
            histogram.zoom = histogram.zoom.step(-1)
            rebuildHistogram()
        case .char("Z"), .char("-"):
            histogram.zoom = histogram.zoom.step(1)
            rebuildHistogram()
        case .enter:
            return filterByBar()
        default: break
        }
        return []
    }

    /// Puts the bar's window into the filter as `at:START..END` (in place of an `at:` term there), back on the table.
    mutating func filterByBar() -> [Effect] {
        guard histogram.data.bucketCount > 0 else { return [] }
        let (start, end) = histogram.data.window(histogram.cursor)
        let kept = filter.source.split(separator: " ").filter { !$0.lowercased().hasPrefix("at:") }
        let text = (kept.map(String.init) + ["at:\(AppState.shortRFC3339(start))..\(AppState.shortRFC3339(end))"])
            .joined(separator: " ")
        mode = .main
        pinned = false
        setFilter(text)
        return bodySearchEffects()
    }

    /// RFC 3339 without the milliseconds when they are zero: `2026-11-28T07:14:00Z`.
    public static func shortRFC3339(_ t: Instant) -> String {
        let s = t.rfc3339
        return t.ms % 1000 == 0 ? s.replacingOccurrences(of: ".000Z", with: "Z") : s
    }
}
