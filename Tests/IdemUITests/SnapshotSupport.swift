import Foundation
import IdemUI
import Testing

/// Compares a grid (text and style roles, with the theme's style for each role used) with a stored snapshot in
/// `__Snapshots__/NAME.txt`. A missing snapshot is written and fails; `IDEMTOP_RECORD_SNAPSHOTS=1` re-records.
func assertSnapshot(_ grid: Grid, theme: Theme, named name: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("__Snapshots__")
    let file = folder.appendingPathComponent(name + ".txt")
    let actual = snapshotText(grid, theme: theme)
    let record = ProcessInfo.processInfo.environment["IDEMTOP_RECORD_SNAPSHOTS"] == "1"
    let stored = try? String(contentsOf: file, encoding: .utf8)
    if record || stored == nil {
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try? actual.write(to: file, atomically: true, encoding: .utf8)
        if !record {
            Issue.record("no snapshot \(name).txt: recorded it now; check it and run again", sourceLocation: sourceLocation)
        }
        return
    }
    if stored != actual {
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let b = (stored ?? "").split(separator: "\n", omittingEmptySubsequences: false)
        let firstDiff = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }
        let where_ = firstDiff.map { "line \($0.offset + 1):\n  expected \($0.element.1)\n  actual   \($0.element.0)" }
            ?? "line counts differ (\(b.count) expected, \(a.count) actual)"
        Issue.record("snapshot \(name).txt differs at \(where_)\n(IDEMTOP_RECORD_SNAPSHOTS=1 re-records)",
                     sourceLocation: sourceLocation)
    }
}

/// The text form: rows between bars, then role codes per cell, then the legend of roles used.
func snapshotText(_ g: Grid, theme: Theme) -> String {
    var out = "== text \(g.width)x\(g.height)\n"
    for y in 0..<g.height { out += "|" + g.line(y) + "|\n" }
    out += "== roles\n"
    for y in 0..<g.height { out += "|" + g.roleLine(y) + "|\n" }
    out += "== styles (\(theme.name))\n"
    let used = Set(g.cells.map(\.role))
    for role in Role.allCases where used.contains(role) {
        out += "\(role.code) \(role.rawValue): \(describe(theme[role]))\n"
    }
    return out
}

func describe(_ s: Style) -> String {
    func color(_ c: Color) -> String {
        switch c {
        case .terminalDefault: return "default"
        case .index(let n): return "\(n)"
        case .rgb(let r, let g, let b): return String(format: "#%02x%02x%02x", r, g, b)
        }
    }
    var parts = [color(s.fg)]
    if s.bg != .terminalDefault { parts += ["on", color(s.bg)] }
    for (name, a) in Attributes.names where s.attributes.contains(a) { parts.append(name) }
    return parts.joined(separator: " ")
}
