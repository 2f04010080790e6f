/// Plain-text tables and CSV lines for the headless commands and reports.
///
/// Columns are measured in terminal columns (`TextWidth`), so names in any script (CJK tenants, emoji) keep the
/// columns aligned; cells are expected to be `Sanitizer.visible` already.
public enum TextTable {
    /// Left-aligned columns separated by two spaces, numbers right-aligned where `numeric` names their columns; the
    /// last column is not padded.
    public static func render(header: [String], rows: [[String]], numeric: Set<Int> = []) -> [String] {
        var widths = header.map { TextWidth.of($0) }
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], TextWidth.of(cell)) }
        }
        func line(_ cells: [String]) -> String {
            var out = ""
            for (i, c) in cells.enumerated() {
                let pad = String(repeating: " ", count: max(0, (i < widths.count ? widths[i] : 0) - TextWidth.of(c)))
                if i > 0 { out += "  " }
                if numeric.contains(i) { out += pad + c } else { out += i == cells.count - 1 ? c : c + pad }
            }
            return out
        }
        return [line(header)] + rows.map(line)
    }

    /// One CSV line (RFC 4180 quoting), safe to open in a spreadsheet and to print: control characters are made
    /// visible (`Sanitizer`), and a cell that a spreadsheet would read as a formula (starting with `=`, `+`, `-`,
    /// `@`, tab or CR; OWASP's CSV injection) is prefixed with `'`. A plain number such as `-3600.5` stays a number.
    public static func csvLine(_ cells: [String]) -> String {
        cells.map { raw in
            var c = Sanitizer.visible(raw)
            if let first = raw.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first), !isPlainNumber(raw) {
                c = "'" + c
            }
            return c.contains(where: { $0 == "," || $0 == "\"" })
                ? "\"" + c.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : c
        }.joined(separator: ",")
    }

    /// True for `-12`, `+3.5`: a signed decimal number, which a spreadsheet reads as a number, not a formula.
    static func isPlainNumber(_ s: String) -> Bool {
        guard let sign = s.utf8.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") else { return false }
        let digits = s.utf8.dropFirst()
        guard !digits.isEmpty, digits.first != UInt8(ascii: "."), digits.last != UInt8(ascii: ".") else { return false }
        return digits.allSatisfy { ($0 >= 48 && $0 <= 57) || $0 == UInt8(ascii: ".") }
            && digits.filter { $0 == UInt8(ascii: ".") }.count <= 1
    }

    /// A count with thousands separators: `1,234,567`.
    public static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return n < 0 ? "-" + out : out
    }
}
