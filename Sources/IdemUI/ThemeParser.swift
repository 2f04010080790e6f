import IdemCore

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
        let parsed: (entries: [SettingsLines.Entry], sections: [String: Int])
        do {
            parsed = try SettingsLines.parse(text, allowedSections: ["palette", "roles"])
        } catch {
            throw ThemeError(file: file, line: error.line, key: error.key, message: error.message)
        }
        let rolesLine = parsed.sections["roles"] ?? 0
        for entry in parsed.entries {
            let (lineNo, key) = (entry.line, entry.key)
            let value = SettingsLines.unquoted(entry.value) ?? entry.value
            switch entry.section {
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
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    var trimmingSpaces: String { SettingsLines.trimmed(String(self)) }
}
