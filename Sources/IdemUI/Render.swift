import IdemCore

/// Draws the whole screen for a state into a grid sized to the terminal.
///
/// The grid holds roles, not colours: the theme is applied when the terminal paints it. `theme` is taken so views
/// can adapt to a monochrome theme.
public func render(_ state: AppState, theme: Theme, into grid: inout Grid) {
    if grid.width != state.width || grid.height != state.height {
        grid = Grid(width: state.width, height: state.height)
    }
    grid.clear()
    guard state.fits else {
        TooSmallView.render(state, into: &grid)
        return
    }
    switch state.mode {
    case .main:
        HeaderView.render(state, into: &grid)
        TableView.render(state, into: &grid)
        TailView.render(state, into: &grid)
    case .detail:
        DetailView.render(state, into: &grid)
    case .help:
        HelpView.render(state, into: &grid)
    case .findings:
        FindingsView.render(state, into: &grid)
    case .histogram:
        HistogramView.render(state, into: &grid)
    case .compare:
        CompareView.render(state, into: &grid)
    }
    ActionDialogView.render(state, into: &grid)
    StatusBarView.render(state, theme: theme, into: &grid)
}

/// Shown instead of the dashboard when the terminal is smaller than it needs.
enum TooSmallView {
    static func render(_ state: AppState, into grid: inout Grid) {
        let message = "idemtop needs at least \(Layout.minWidth)x\(Layout.minHeight) (now \(state.width)x\(state.height))"
        // Wrap on spaces to the width, centred.
        var lines: [String] = []
        var current = ""
        for word in message.split(separator: " ") {
            if !current.isEmpty, current.count + 1 + word.count > grid.width {
                lines.append(current)
                current = ""
            }
            current += (current.isEmpty ? "" : " ") + word
        }
        lines.append(current)
        let top = max(0, (grid.height - lines.count) / 2)
        for (i, line) in lines.enumerated() where top + i < grid.height {
            grid.put(line, x: max(0, (grid.width - line.count) / 2), y: top + i, role: .error)
        }
    }
}

extension Grid {
    /// Writes spans left to right from x; returns the column after the last one written.
    @discardableResult
    mutating func put(_ spans: [Span], x: Int, y: Int, limit: Int) -> Int {
        var col = x
        for s in spans {
            let room = x + limit - col
            if room <= 0 { break }
            col += put(s.text, x: col, y: y, role: s.role, limit: room)
        }
        return col
    }
}
