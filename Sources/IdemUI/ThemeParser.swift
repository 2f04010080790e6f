/// A theme file that cannot be used, with where: the file, the line and the key.
public struct ThemeError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var key: String
    public var message: String

    public init(file: String, line: Int, key: String, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    public var description: String {
        let place = line > 0 ? "\(file):\(line)" : file
        return key.isEmpty ? "\(place): \(message)" : "\(place): '\(key)': \(message)"
    }
}

/// Reads the theme format: a small TOML subset with a `[palette]` of named colours and `[roles]` of styles.
///
/// ```
/// name = "dark"
/// [palette]
/// green = #5fd787      # also: default, or a 0-255 index
/// [roles]
/// stuck = black on yellow bold   # fg [on bg] [bold] [underline] [reverse] [dim]
/// ```
/// Every role must be set; a colour may be a palette name, `#rrggbb`, `0`-`255` or `default`.
public enum ThemeParser {
    /// Parses theme text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws(ThemeError) -> Theme {
        var name = file.split(separator: "/").last.map(String.init) ?? file
        if name.hasSuffix(".theme") { name.removeLast(6) }
        var palette: [String: Color] = [:]
        var styles: [Role: Style] = [:]
        var section = ""
        var rolesLine = 0
        var lineNo = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNo += 1
            let line = stripComment(String(raw)).trimmingSpaces
            if line.isEmpty { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else {
                    throw ThemeError(file: file, line: lineNo, key: line, message: "a section header ends with ']'")
                }
                section = String(line.dropFirst().dropLast()).trimmingSpaces
                guard section == "palette" || section == "roles" else {
                    throw ThemeError(file: file, line: lineNo, key: section,
                                     message: "unknown section (expected [palette] or [roles])")
                }
                if section == "roles" { rolesLine = lineNo }
                continue
            }
            guard let eq = line.firstIndex(of: "=") else {
                throw ThemeError(file: file, line: lineNo, key: line, message: "expected 'key = value'")
            }
            let key = String(line[..<eq]).trimmingSpaces
            var value = String(line[line.index(after: eq)...]).trimmingSpaces
            if value.count >= 2, value.first == "\"", value.last == "\"" { value = String(value.dropFirst().dropLast()) }
            guard !key.isEmpty else { throw ThemeError(file: file, line: lineNo, key: "", message: "missing key before '='") }
            switch section {
            case "":
                guard key == "name" else {
                    throw ThemeError(file: file, line: lineNo, key: key, message: "unknown setting (only 'name' comes before [palette])")
                }
                name = value
            case "palette":
                guard let c = literalColor(value) else {
                    throw ThemeError(file: file, line: lineNo, key: key,
                                     message: "'\(value)' is not a colour (#rrggbb, 0-255 or default)")
                }
                palette[key] = c
            default:
                guard let role = Role(rawValue: key) else {
                    throw ThemeError(file: file, line: lineNo, key: key, message: "unknown role (known: "
                        + Role.allCases.map(\.rawValue).joined(separator: ", ") + ")")
                }
                do {
                    styles[role] = try style(value, palette: palette)
                } catch let e as StyleError {
                    throw ThemeError(file: file, line: lineNo, key: key, message: e.message)
                } catch {
                    throw ThemeError(file: file, line: lineNo, key: key, message: "\(error)")
                }
            }
        }
        if let missing = Role.allCases.first(where: { styles[$0] == nil }) {
            throw ThemeError(file: file, line: rolesLine, key: missing.rawValue, message: "role is not set in [roles]")
        }
        return Theme(name: name, styles: styles)
    }

    struct StyleError: Error { var message: String }

    /// Parses `fg [on bg] [bold] [underline] [reverse] [dim]`; attributes alone leave the colours at default.
    static func style(_ text: String, palette: [String: Color]) throws -> Style {
        var out = Style()
        var sawFg = false
        var words = text.split(separator: " ").map(String.init)[...]
        while let w = words.popFirst() {
            if let attr = Attributes.names.first(where: { $0.0 == w })?.1 {
                out.attributes.insert(attr)
            } else if w == "on" {
                guard let bgName = words.popFirst() else { throw StyleError(message: "'on' needs a colour after it") }
                guard let bg = color(bgName, palette) else { throw StyleError(message: unknownColor(bgName)) }
                out.bg = bg
            } else if !sawFg {
                guard let fg = color(w, palette) else { throw StyleError(message: unknownColor(w)) }
                out.fg = fg
                sawFg = true
            } else {
                throw StyleError(message: "unexpected '\(w)' (expected: fg [on bg] [bold] [underline] [reverse] [dim])")
            }
        }
        return out
    }

    static func unknownColor(_ w: String) -> String {
        "unknown colour '\(w)' (not in [palette], not #rrggbb, 0-255 or default)"
    }

    static func color(_ word: String, _ palette: [String: Color]) -> Color? {
        palette[word] ?? literalColor(word)
    }

    /// `default`, `#rrggbb` or a 0-255 palette index.
    static func literalColor(_ w: String) -> Color? {
        if w == "default" { return .terminalDefault }
        if let n = UInt8(w) { return .index(n) }
        guard w.hasPrefix("#"), w.count == 7, let v = UInt32(w.dropFirst(), radix: 16) else { return nil }
        return .rgb(UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff))
    }

    /// Drops a `#` comment; `#` followed by six hex digits (a colour) is kept.
    static func stripComment(_ line: String) -> String {
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
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s.removeLast() }
        return String(s)
    }
}
