/// Renders findings for people (an aligned table) and for machines (JSON), and maps them to an exit code.
///
/// Pure formatting: the `idemtop audit` command prints what these return. Text that came from the store (tenants,
/// tokens, evidence quoting them) is data: in the table, control characters and escape sequences are made visible
/// (`\u{1B}`) so that a hostile token cannot drive the terminal; JSON escapes them as JSON does.
public enum FindingsReport {
    /// The exit code `idemtop audit --fail-on` returns when a finding is that severe or more.
    public static let failingExitCode: Int32 = 4

    /// 4 when a finding of severity `failOn` or higher exists, else 0 (always 0 when `failOn` is nil).
    public static func exitCode(findings: [Finding], failOn: Severity?) -> Int32 {
        guard let failOn else { return 0 }
        return findings.contains { $0.severity >= failOn } ? failingExitCode : 0
    }

    /// One line counting the findings by severity, e.g. `3 findings: 1 critical, 2 high`.
    public static func summary(_ findings: [Finding]) -> String {
        guard !findings.isEmpty else { return "No findings." }
        let parts = Severity.allCases.reversed().compactMap { s -> String? in
            let n = findings.filter { $0.severity == s }.count
            return n > 0 ? "\(TextTable.grouped(n)) \(s.rawValue)" : nil
        }
        return "\(TextTable.grouped(findings.count)) finding\(findings.count == 1 ? "" : "s"): \(parts.joined(separator: ", "))"
    }

    /// One line naming the findings counted but not listed (past `DetectorConfig.maxFindingsPerKind` of a kind),
    /// e.g. `not listed: 290,000 more stuck (past 10,000 of a kind, findings are counted, not listed)`; nil when
    /// none were left out.
    public static func notListed(_ suppressed: [FindingKind: Int], cap: Int = DetectorConfig.standard.maxFindingsPerKind)
        -> String? {
        let parts = FindingKind.allCases.compactMap { k -> String? in
            guard let n = suppressed[k], n > 0 else { return nil }
            return "\(TextTable.grouped(n)) more \(k.rawValue)"
        }
        guard !parts.isEmpty else { return nil }
        return "not listed: \(parts.joined(separator: ", ")) (past \(TextTable.grouped(cap)) of a kind, findings are "
            + "counted, not listed)"
    }

    /// An aligned table: severity, kind, tenant, tokens (elided to `tokenWidth`), first and last seen (RFC 3339)
    /// and the evidence, one finding a line, then the summary line (and what was not listed, when anything was).
    public static func table(_ findings: [Finding], suppressed: [FindingKind: Int] = [:],
                             cap: Int = DetectorConfig.standard.maxFindingsPerKind, tokenWidth: Int = 40,
                             tenantWidth: Int = 24) -> String {
        let leftOut = notListed(suppressed, cap: cap).map { $0 + "\n" } ?? ""
        guard !findings.isEmpty else { return summary(findings) + "\n" + leftOut }
        let header = ["SEVERITY", "KIND", "TENANT", "TOKENS", "FIRST SEEN", "LAST SEEN", "EVIDENCE"]
        let rows: [[String]] = findings.map { f in
            [f.severity.rawValue, f.kind.rawValue, elide(visible(f.tenant), to: tenantWidth),
             tokensCell(f.tokens, width: tokenWidth), f.firstSeen.rfc3339, f.lastSeen.rfc3339, visible(f.evidence)]
        }
        var out = TextTable.render(header: header, rows: rows).joined(separator: "\n") + "\n"
        out += summary(findings) + "\n" + leftOut
        return out
    }

    /// A JSON array of objects with the keys `kind, severity, tenant, tokens, first_seen, last_seen, evidence`,
    /// in that order, times in RFC 3339 (UTC, milliseconds). One object a line; `[]` when empty.
    public static func json(_ findings: [Finding]) -> String {
        guard !findings.isEmpty else { return "[]\n" }
        var out = "[\n"
        for (i, f) in findings.enumerated() {
            out += "  {\"kind\": \(quote(f.kind.rawValue)), \"severity\": \(quote(f.severity.rawValue)), "
            out += "\"tenant\": \(quote(f.tenant)), \"tokens\": [\(f.tokens.map(quote).joined(separator: ", "))], "
            out += "\"first_seen\": \(quote(f.firstSeen.rfc3339)), \"last_seen\": \(quote(f.lastSeen.rfc3339)), "
            out += "\"evidence\": \(quote(f.evidence))}"
            out += i == findings.count - 1 ? "\n" : ",\n"
        }
        out += "]\n"
        return out
    }

    /// The tokens joined with `, ` as far as `width` allows, then `+N` for the rest; a long first token is cut
    /// with `…`.
    public static func tokensCell(_ tokens: [String], width: Int) -> String {
        guard let firstToken = tokens.first else { return "-" }
        var shown = [elide(visible(firstToken), to: width)]
        var used = TextWidth.of(shown[0])
        for t in tokens.dropFirst() {
            let v = visible(t)
            let rest = tokens.count - shown.count - 1
            let suffix = rest > 0 ? " +\(rest)".count : 0
            guard used + 2 + TextWidth.of(v) + suffix <= width else { break }
            shown.append(v)
            used += 2 + v.count
        }
        let hidden = tokens.count - shown.count
        return shown.joined(separator: ", ") + (hidden > 0 ? " +\(hidden)" : "")
    }

    /// `text` cut to `width` terminal columns, ending in `…` when cut.
    static func elide(_ text: String, to width: Int) -> String { TextWidth.truncate(text, to: width) }

    /// `text` safe to print: control characters and escape sequences made visible (`Sanitizer`).
    public static func visible(_ text: String) -> String { Sanitizer.visible(text) }

    /// A JSON string literal for `text`.
    static func quote(_ text: String) -> String {
        var out = "\""
        for u in text.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
