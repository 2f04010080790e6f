import IdemCore

/// One screen cell: the grapheme drawn there, how many columns it takes, and its style role.
///
/// A wide grapheme (CJK, emoji) sits in its first cell with `width` 2; the cell after it is a continuation with
/// `width` 0 and empty text, so columns stay aligned.
public struct Cell: Sendable, Hashable {
    public var text: String
    public var width: UInt8
    public var role: Role

    public init(_ text: String = " ", width: UInt8 = 1, role: Role = .normal) {
        self.text = text
        self.width = width
        self.role = role
    }

    public static let blank = Cell()
    public var isContinuation: Bool { width == 0 }
}

/// An in-memory screen: views draw into it, the terminal paints what changed, tests read it back.
public struct Grid: Sendable, Hashable {
    public private(set) var width: Int
    public private(set) var height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    /// Blanks every cell with `role`.
    public mutating func clear(role: Role = .normal) {
        let blank = Cell(" ", width: 1, role: role)
        for i in cells.indices { cells[i] = blank }
    }

    /// Fills a row from `x` to `x + count` with spaces in `role`.
    public mutating func fill(row y: Int, from x: Int = 0, count: Int? = nil, role: Role) {
        guard y >= 0, y < height else { return }
        let end = min(width, x + (count ?? width))
        var i = max(0, x)
        while i < end {
            self[i, y] = Cell(" ", width: 1, role: role)
            i += 1
        }
    }

    /// Writes text at (x, y) in `role`, at most `limit` columns (and never past the edge); returns the columns used.
    ///
    /// This is the dashboard's output boundary: the text passes `Sanitizer.visible` here (a no-op for text made
    /// visible before), so no view can put a control character or bidi override on the screen. Widths follow
    /// grapheme clusters (`TextWidth`); a grapheme that does not fit whole is left out and its space blanked.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, role: Role, limit: Int? = nil) -> Int {
        guard y >= 0, y < height, x >= 0, x < width else { return 0 }
        let end = min(width, x + (limit ?? width))
        if x > 0, cells[y * width + x].isContinuation { cells[y * width + x - 1] = Cell(" ", width: 1, role: role) }
        defer { mendAfterWrite(y: y) }
        var col = x
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) {
            for b in text.utf8 {
                if col >= end { break }
                cells[y * width + col] = Cell(String(UnicodeScalar(b)), width: 1, role: role)
                col += 1
            }
            return col - x
        }
        for g in Sanitizer.visible(text) {
            var glyph = String(g)
            var w = TextWidth.of(g)
            if w == 0 {
                // A mark with nothing to sit on, or an invisible character: shown on a dotted circle, one column.
                glyph = "◌" + glyph
                w = 1
            }
            if col + w > end {
                while col < end { cells[y * width + col] = Cell(" ", width: 1, role: role); col += 1 }
                break
            }
            cells[y * width + col] = Cell(glyph, width: UInt8(w), role: role)
            if w == 2 { cells[y * width + col + 1] = Cell("", width: 0, role: role) }
            col += w
        }
        return col - x
    }

    /// Blanks continuation cells whose wide cell was overwritten, so no half of a wide grapheme is left alone.
    private mutating func mendAfterWrite(y: Int) {
        let base = y * width
        for i in 0..<width {
            let c = cells[base + i]
            if c.isContinuation, i == 0 || cells[base + i - 1].width != 2 {
                cells[base + i] = Cell(" ", width: 1, role: c.role)
            } else if c.width == 2, i + 1 >= width || !cells[base + i + 1].isContinuation {
                cells[base + i] = Cell(" ", width: 1, role: c.role)
            }
        }
    }

    /// Sets the role of `count` cells from (x, y) without changing their text.
    public mutating func restyle(row y: Int, from x: Int, count: Int, role: Role) {
        guard y >= 0, y < height else { return }
        for i in max(0, x)..<max(max(0, x), min(width, x + count)) { cells[y * width + i].role = role }
    }

    /// The text of one row (continuation cells contribute nothing).
    public func line(_ y: Int) -> String {
        var s = ""
        for x in 0..<width { s += self[x, y].text }
        return s
    }

    /// The role codes of one row, one character per column.
    public func roleLine(_ y: Int) -> String {
        String((0..<width).map { self[$0, y].role.code })
    }

    /// Every row's text, joined by newlines.
    public var text: String { (0..<height).map(line).joined(separator: "\n") }
}
