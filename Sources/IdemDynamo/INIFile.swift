import Foundation

/// The INI dialect of `~/.aws/credentials` and `~/.aws/config`: `[section]`, `key = value`, `#`/`;` comments.
enum INIFile {
    /// The keys and values of one section (empty when it is missing).
    static func section(_ wanted: String, in text: String) -> [String: String] {
        var current: String?
        var out: [String: String] = [:]
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                current = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                continue
            }
            guard current == wanted, let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            out[key] = value
        }
        return out
    }
}
