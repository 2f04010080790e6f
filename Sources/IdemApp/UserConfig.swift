import Foundation
import IdemCore

/// Defaults from the user's config file, `$XDG_CONFIG_HOME/idemtop/config.toml` (else `~/.config/idemtop/config.toml`,
/// or the file `IDEMTOP_CONFIG` names). Flags on the command line win over it.
///
/// The format is the TOML subset the themes use: `key = value` lines and `#` comments, values quoted strings,
/// `true`/`false`, whole numbers, or lists of strings (`["a", "b"]`). An unknown key or a wrong value stops idemtop
/// with one line naming the file, the line and the key.
public struct UserConfig: Equatable, Sendable {
    /// The dashboard's theme (a built-in name, a user theme, or a .theme path).
    public var theme: String?
    /// How often the dashboard polls the store while data flows, in milliseconds.
    public var refreshMs: Int?
    /// Header and JSON field names masked on screen, added to the standard list.
    public var secretFields: [String] = []
    /// The header that carries the token when a request is replayed.
    public var idempotencyHeader: String?
    /// Open every store read-only and refuse every action, as `--read-only` does.
    public var readOnly = false
    /// The base URL replays go to from the dashboard.
    public var target: String?
    /// Whether `show` reads and writes the journal's token index checkpoint in the cache folder (`--no-cache`).
    public var cache = true

    /// Where read-only comes from, for the line that refuses an action: `--read-only` when `flag` is set, else
    /// `read_only = true in PATH` when this config says so; nil when neither does.
    public func readOnlySource(flag: Bool,
                        environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if flag { return "--read-only" }
        return readOnly ? "read_only = true in \(UserConfig.path(environment: environment))" : nil
    }

    public static let keys = ["theme", "refresh_ms", "secret_fields", "idempotency_header", "read_only", "target"]

    /// The config file's path for `environment`, whether or not it exists.
    public static func path(environment: [String: String]) -> String {
        if let explicit = environment["IDEMTOP_CONFIG"], !explicit.isEmpty { return explicit }
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.config"
        return base + "/idemtop/config.toml"
    }

    public init() {}

    /// The user's config, or the defaults when there is no file; a missing file named by `IDEMTOP_CONFIG`, or one
    /// that cannot be read or does not parse, is a `ConfigFileError` (one line naming the file, line and key).
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> UserConfig {
        let path = path(environment: environment)
        guard FileManager.default.fileExists(atPath: path) else {
            if environment["IDEMTOP_CONFIG"].map({ !$0.isEmpty }) ?? false {
                throw ConfigFileError(message: "\(path): no such config file (named by IDEMTOP_CONFIG)")
            }
            return UserConfig()
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigFileError(message: "\(path): cannot read the config file")
        }
        do {
            return try parse(text)
        } catch let e as ConfigError {
            throw ConfigFileError(message: "\((path as NSString).lastPathComponent):\(e.line): '\(e.key)': \(e.message) (\(path))")
        }
    }

    /// Where a config text is wrong.
    public struct ConfigError: Error, Equatable {
        public var line: Int
        public var key: String
        public var message: String
    }

    /// Parses the text of a config file.
    public static func parse(_ text: String) throws -> UserConfig {
        var config = UserConfig()
        let entries: [SettingsLines.Entry]
        do {
            entries = try SettingsLines.parse(text, allowedSections: []).entries
        } catch {
            throw ConfigError(line: error.line, key: error.key, message: error.message)
        }
        for entry in entries {
            let (key, value) = (entry.key, entry.value)
            func fail(_ message: String) -> ConfigError { ConfigError(line: entry.line, key: key, message: message) }
            func quoted() throws -> String {
                guard let s = string(value) else { throw fail("wants a quoted string") }
                return s
            }
            switch key {
            case "theme": config.theme = try quoted()
            case "target": config.target = try quoted()
            case "idempotency_header":
                let name = try quoted()
                guard !name.isEmpty, !name.contains(":"), !name.contains(" ") else { throw fail("wants a header name") }
                config.idempotencyHeader = name
            case "refresh_ms":
                guard let ms = Int(value), (10...5000).contains(ms) else { throw fail("wants a whole number from 10 to 5000") }
                config.refreshMs = ms
            case "read_only":
                guard value == "true" || value == "false" else { throw fail("wants true or false") }
                config.readOnly = value == "true"
            case "cache":
                guard value == "true" || value == "false" else { throw fail("wants true or false") }
                config.cache = value == "true"
            case "secret_fields":
                guard let list = stringList(value) else { throw fail("wants a list of quoted names, e.g. [\"x-signature\"]") }
                config.secretFields = list
            default:
                throw fail("unknown key (known: \(keys.joined(separator: ", ")))")
            }
        }
        return config
    }

    /// A double-quoted string's contents (with `\"` and `\\` escapes), or nil when `value` is not one.
    static func string(_ value: String) -> String? {
        guard let inner = SettingsLines.unquoted(value) else { return nil }
        var out = ""
        var escaped = false
        for ch in inner {
            if escaped { out.append(ch); escaped = false } else if ch == "\\" { escaped = true } else { out.append(ch) }
        }
        return out
    }

    /// `["a", "b"]` as a list, or nil when `value` is not a list of quoted strings.
    static func stringList(_ value: String) -> [String]? {
        guard value.first == "[", value.last == "]" else { return nil }
        let inner = value.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
        if inner.isEmpty { return [] }
        var items: [String] = []
        for part in inner.split(separator: ",") {
            let item = part.trimmingCharacters(in: .whitespaces)
            if item.isEmpty { continue }
            guard let s = string(item) else { return nil }
            items.append(s)
        }
        return items
    }
}

/// A config file that stops idemtop: one line for stderr, exit 1.
public struct ConfigFileError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
