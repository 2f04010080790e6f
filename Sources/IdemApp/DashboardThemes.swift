import Foundation
import IdemUI

/// Finds the theme to use: `--no-color`/`NO_COLOR`, a path, a user theme, or a built-in one.
public enum DashboardThemes {
    /// The user's theme folder: `$XDG_CONFIG_HOME/idemtop/themes`, or `~/.config/idemtop/themes`.
    public static func userFolder(_ env: [String: String]) -> String {
        if let x = env["XDG_CONFIG_HOME"], !x.isEmpty { return x + "/idemtop/themes" }
        return (env["HOME"] ?? NSHomeDirectory()) + "/.config/idemtop/themes"
    }

    public static func resolve(_ name: String?, noColor: Bool, environment env: [String: String]) throws -> Theme {
        if noColor { return .monochrome }
        guard let name, !name.isEmpty else {
            if let nc = env["NO_COLOR"], !nc.isEmpty { return .monochrome }
            return BuiltinThemes.standard
        }
        return try load(name, environment: env)
    }

    /// A theme by name or path; errors name the file, line and key, or list what exists.
    public static func load(_ name: String, environment env: [String: String]) throws -> Theme {
        if name.contains("/") || name.hasSuffix(".theme") {
            return try parseFile(name)
        }
        let user = userFolder(env) + "/" + name + ".theme"
        if FileManager.default.fileExists(atPath: user) { return try parseFile(user) }
        if let builtin = try BuiltinThemes.named(name) {
            return name.lowercased() == "monochrome" ? .monochrome : builtin
        }
        throw ThemeError(file: name, line: 0, key: "", message: "no such theme (built-in: "
            + BuiltinThemes.names.joined(separator: ", ") + "; user themes go in " + userFolder(env) + ")")
    }

    public static func parseFile(_ path: String) throws -> Theme {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ThemeError(file: path, line: 0, key: "", message: "cannot read the file")
        }
        return try ThemeParser.parse(String(decoding: data, as: UTF8.self), file: path)
    }
}
