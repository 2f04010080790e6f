/// The themes compiled into idemtop, parsed from the text of `themes/*.theme` embedded in `BuiltinThemeText.swift`.
public enum BuiltinThemes {
    /// Built-in theme names, the default first.
    public static var names: [String] {
        ["dark"] + text.keys.filter { $0 != "dark" }.sorted()
    }

    /// Accepted spellings of built-in names.
    static let aliases = ["colour-blind-safe": "colour-blind", "color-blind": "colour-blind", "colorblind": "colour-blind",
                          "high_contrast": "high-contrast", "contrast": "high-contrast", "mono": "monochrome",
                          "no-color": "monochrome", "none": "monochrome"]

    /// A built-in theme by name, nil when there is none by that name.
    public static func named(_ name: String) throws(ThemeError) -> Theme? {
        let key = aliases[name.lowercased()] ?? name.lowercased()
        guard let source = text[key] else { return nil }
        return try ThemeParser.parse(source, file: "themes/\(key).theme")
    }

    /// The default theme (dark); plain if its embedded text were ever broken (a test guards that).
    public static var standard: Theme {
        ((try? named("dark")) ?? nil) ?? Theme(name: "plain", styles: [:])
    }
}
