/// Splits the small TOML subset idemtop's themes and config file use into `key = value` entries.
///
/// `#` starts a comment outside quotes (except `#` followed by six hex digits: a colour); `[section]` lines name the
/// section of the entries after them; blank lines are skipped. Values come back trimmed, quotes kept, so each file
/// type decides what a value means.
public enum SettingsLines {
    /// One `key = value` line.
    public struct Entry: Sendable, Hashable {
        /// The 1-based line number.
        public var line: Int
        /// The `[section]` it sits under, "" before any.
        public var section: String
        public var key: String
        public var value: String
    }

    /// A line that is neither a comment, a section header nor `key = value`.
    public struct Failure: Error, Sendable, Hashable {
        public var line: Int
        public var key: String
        public var message: String
    }

    /// The entries of `text` in order, and the line each `[section]` header stands on; a section not in `allowed`
    /// is a failure at its header.
    public static func parse(_ text: String, allowedSections allowed: [String]) throws(Failure)
        -> (entries: [Entry], sections: [String: Int]) {
        var entries: [Entry] = []
        var sections: [String: Int] = [:]
        var section = ""
        var lineNo = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNo += 1
            let line = trimmed(stripComment(String(raw)))
            if line.isEmpty { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else { throw Failure(line: lineNo, key: line, message: "a section header ends with ']'") }
                section = trimmed(String(line.dropFirst().dropLast()))
                guard allowed.contains(section) else {
                    let expected = allowed.isEmpty ? "this file has no sections"
                        : "expected " + allowed.map { "[\($0)]" }.joined(separator: " or ")
                    throw Failure(line: lineNo, key: section, message: "unknown section (\(expected))")
                }
                sections[section] = lineNo
                continue
            }
            guard let eq = line.firstIndex(of: "=") else {
                throw Failure(line: lineNo, key: line, message: "expected 'key = value'")
            }
            let key = trimmed(String(line[..<eq]))
            guard !key.isEmpty else { throw Failure(line: lineNo, key: "", message: "missing key before '='") }
            entries.append(Entry(line: lineNo, section: section, key: key,
                                 value: trimmed(String(line[line.index(after: eq)...]))))
        }
        return (entries, sections)
    }

    /// `value` without its surrounding double quotes, or nil when it is not quoted.
    public static func unquoted(_ value: String) -> String? {
        guard value.count >= 2, value.first == "\"", value.last == "\"" else { return nil }
        return String(value.dropFirst().dropLast())
    }

    /// Drops a `#` comment; a `#` inside quotes, or followed by six hex digits (a colour), is kept.
    public static func stripComment(_ line: String) -> String {
        let chars = Array(line)
        var inQuotes = false
        for (i, ch) in chars.enumerated() {
            if ch == "\"" { inQuotes.toggle() }
            guard ch == "#", !inQuotes else { continue }
            let hex = chars[(i + 1)..<min(chars.count, i + 7)]
            let isColor = hex.count == 6 && hex.allSatisfy(\.isHexDigit) && (i + 7 == chars.count || chars[i + 7] == " ")
            if !isColor { return String(chars[..<i]) }
        }
        return line
    }

    /// The text without leading and trailing spaces, tabs and carriage returns.
    public static func trimmed(_ s: String) -> String {
        var t = Substring(s)
        while let f = t.first, f == " " || f == "\t" || f == "\r" { t.removeFirst() }
        while let l = t.last, l == " " || l == "\t" || l == "\r" { t.removeLast() }
        return String(t)
    }
}
