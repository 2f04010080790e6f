/// A terminal colour as a theme names it: the terminal's default, a 0-255 palette index, or 24-bit RGB.
public enum Color: Sendable, Hashable {
    case terminalDefault
    case index(UInt8)
    case rgb(UInt8, UInt8, UInt8)
}

/// Text attributes a style may add, usable on every terminal (and all that a monochrome theme has).
public struct Attributes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let bold = Attributes(rawValue: 1)
    public static let underline = Attributes(rawValue: 2)
    public static let reverse = Attributes(rawValue: 4)
    public static let dim = Attributes(rawValue: 8)

    /// The attribute names the theme format accepts.
    public static let names: [(String, Attributes)] = [
        ("bold", .bold), ("underline", .underline), ("reverse", .reverse), ("dim", .dim),
    ]
}

/// How one role looks: foreground, background, attributes.
public struct Style: Sendable, Hashable {
    public var fg: Color
    public var bg: Color
    public var attributes: Attributes

    public init(fg: Color = .terminalDefault, bg: Color = .terminalDefault, attributes: Attributes = []) {
        self.fg = fg
        self.bg = bg
        self.attributes = attributes
    }

    public static let plain = Style()
}

/// A theme: a style for every role. Data passed to rendering, never global.
public struct Theme: Sendable, Hashable {
    public var name: String
    /// True when the theme uses no colour at all (`NO_COLOR`, `--no-color`): the terminal then sets no colour pairs.
    public var monochrome: Bool
    private var styles: [Role: Style]

    public init(name: String, styles: [Role: Style], monochrome: Bool = false) {
        self.name = name
        self.styles = styles
        self.monochrome = monochrome
    }

    /// The style for a role; a role the theme leaves out looks plain.
    public subscript(role: Role) -> Style { styles[role] ?? .plain }

    /// Roles the theme sets explicitly.
    public var definedRoles: Set<Role> { Set(styles.keys) }

    /// The same theme without colours: only bold, underline, reverse and dim survive.
    public var withoutColor: Theme {
        var out = styles
        for (role, style) in styles { out[role] = Style(attributes: style.attributes) }
        return Theme(name: name + " (no colour)", styles: out, monochrome: true)
    }

    /// The monochrome theme for `NO_COLOR` and `--no-color` (`themes/monochrome.theme`): status words carry the
    /// meaning, attributes the emphasis.
    public static var monochrome: Theme {
        var t = ((try? BuiltinThemes.named("monochrome")) ?? nil) ?? Theme(name: "monochrome", styles: [:])
        t.monochrome = true
        return t
    }
}
