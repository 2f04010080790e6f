import IdemCore

/// The histogram view: requests per bucket (a minute up to a day), stacked by outcome, one column a bucket, with
/// the cursor's bar and its counts spelled out below.
enum HistogramView {
    /// Columns left of the bars: the count scale and its rule.
    static let axisWidth = 7
    static let partial: [Character] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    static func render(_ s: AppState, into g: inout Grid) {
        let h = s.histogram, data = h.data
        let w = g.width
        g.fill(row: 0, role: .header)
        var x = g.put(" idemtop ", x: 0, y: 0, role: .header)
        x += g.put(" requests per \(h.zoom.label), by outcome", x: x, y: 0, role: .header)
        let scope = s.filter.isEmpty ? "whole store " : "filter " + Sanitizer.visible(s.filter.source) + " "
        g.put(TextWidth.elideMiddle(scope, to: max(4, w - x - 2)), x: max(x + 2, w - TextWidth.of(scope)), y: 0,
              role: s.filter.isEmpty ? .header : .headerLabel)

        var lx = 1
        for o in Histogram.outcomes {
            lx += g.put("█", x: lx, y: 1, role: Role(o))
            lx += g.put(" \(o.rawValue)  ", x: lx, y: 1, role: .normal)
        }
        let chartTop = 2, chartBottom = s.layout.noticeRow - 4  // the last row of bars
        let rows = max(1, chartBottom - chartTop + 1)
        guard data.bucketCount > 0 else {
            g.put("no requests to count" + (s.filter.isEmpty ? "" : " under this filter"), x: axisWidth, y: chartTop + rows / 2,
                  role: .dim)
            return
        }
        let bw = s.histogramBarWidth
        let shown = h.left..<min(data.bucketCount, h.left + s.histogramBars)
        let peak = max(1, shown.map { data.total($0) }.max() ?? 1)
        g.put("  max \(Format.count(peak))/\(h.zoom.short)", x: lx, y: 1, role: .dim)

        // The scale: the peak at the top, half way, 0 at the bottom.
        for (y, v) in [(chartTop, peak), (chartTop + rows / 2, peak - peak * (rows / 2) / rows), (chartBottom, 0)] {
            let label = Format.count(v)
            g.put(label, x: max(0, axisWidth - 1 - TextWidth.of(label)), y: y, role: .dim)
        }
        for y in chartTop...chartBottom { g.put("│", x: axisWidth - 1, y: y, role: .border) }
        g.put("└" + String(repeating: "─", count: max(0, w - axisWidth)), x: axisWidth - 1, y: chartBottom + 1, role: .border)

        for b in shown {
            // Wide bars keep a column of space between them.
            let col = axisWidth + (b - h.left) * bw
            for c in 0..<(bw >= 3 ? bw - 1 : bw) {
                drawBar(data, b, col: col + c, top: chartTop, rows: rows, peak: peak, cursor: b == h.cursor, into: &g)
            }
        }
        timeLabels(data, zoom: h.zoom, shown: shown, left: h.left, barWidth: bw, y: chartBottom + 2, into: &g)
        cursorLine(data, h.cursor, zoom: h.zoom, y: chartBottom + 3, into: &g)
    }

    /// One bar, bottom up, in eighths of a row: each cell takes the role of the outcome at its middle.
    static func drawBar(_ data: Histogram, _ b: Int, col: Int, top: Int, rows: Int, peak: Int, cursor: Bool,
                        into g: inout Grid) {
        let total = data.total(b)
        var height = total == 0 ? 0 : max(1, Int((Double(total) / Double(peak) * Double(rows * 8)).rounded()))
        height = min(height, rows * 8)
        // The outcomes' tops, in eighths, bottom first.
        var tops: [(Int, Outcome)] = []
        var sum = 0
        for o in Histogram.outcomes {
            sum += data.count(b, o)
            tops.append((total == 0 ? 0 : Int((Double(sum) / Double(total) * Double(height)).rounded()), o))
        }
        for r in 0..<rows {
            let y = top + rows - 1 - r
            let fill = min(8, height - r * 8)
            if fill <= 0 {
                if cursor { g.put(" ", x: col, y: y, role: .selection) }
                continue
            }
            let mid = r * 8 + min(fill, 8) / 2
            let role = tops.first { mid < $0.0 }.map { Role($0.1) } ?? Role(tops.last?.1 ?? .executed)
            g.put(String(partial[fill]), x: col, y: y, role: cursor ? .selection : role)
        }
    }

    /// Times under the bars at round steps (every 10 minutes, every hour, ...), as many as fit with room between.
    static func timeLabels(_ data: Histogram, zoom: Histogram.Zoom, shown: Range<Int>, left: Int, barWidth: Int, y: Int,
                           into g: inout Grid) {
        let width = TextWidth.of(short(data.window(0).start, zoom: zoom)) + 2
        let steps: [Int64] = zoom == .day ? [1, 2, 7, 14, 28] : [1, 2, 3, 5, 6, 10, 12, 15, 30, 60, 120, 180, 360]
        let step = steps.first { Int($0) * barWidth >= width } ?? steps[steps.count - 1]
        let first = data.window(0).start.ms / zoom.ms
        for b in shown where (first + Int64(b)).floorDivided(by: step).1 == 0 {
            let col = axisWidth + (b - left) * barWidth
            let label = short(data.window(b).start, zoom: zoom)
            guard col + TextWidth.of(label) <= g.width else { break }
            g.put("╵", x: col, y: y - 1, role: .border)
            g.put(label, x: col, y: y, role: .dim)
        }
    }

    /// The cursor's bar in words: its window and its counts by outcome.
    static func cursorLine(_ data: Histogram, _ b: Int, zoom: Histogram.Zoom, y: Int, into g: inout Grid) {
        let (start, end) = data.window(b)
        var x = g.put(" ▶ " + Format.dateTime(start) + " … " + Format.clockTime(end) + "Z  ", x: 0, y: y, role: .normal)
        x += g.put(Format.count(data.total(b)) + " requests", x: x, y: y, role: .normal)
        for o in Histogram.outcomes where data.count(b, o) > 0 {
            x += g.put("  " + Format.count(data.count(b, o)) + " " + o.rawValue, x: x, y: y, role: Role(o))
        }
    }

    /// `07:14` within a day's zooms, `11-28` for days.
    static func short(_ t: Instant, zoom: Histogram.Zoom) -> String {
        let s = t.rfc3339
        if zoom == .day { return String(s.dropFirst(5).prefix(5)) }
        return String(Format.clockTime(t).prefix(5))
    }
}
