import Foundation

/// How much a finding matters to the engineer on call, from `low` to `critical`.
///
/// Ordered: `low < medium < high < critical`, so `--fail-on high` means "any finding of severity high or more".
public enum Severity: String, CaseIterable, Sendable, Comparable, Codable {
    /// Worth knowing; nothing is at risk yet.
    case low
    /// A client or service bug that can turn into a wrong answer or a duplicate.
    case medium
    /// The work may have run twice, or a client is stuck until a token expires.
    case high
    /// Very likely money taken twice, or a pattern repeated across tokens.
    case critical

    /// The position in the order, `low` being 0.
    public var rank: Int {
        switch self {
        case .low: return 0
        case .medium: return 1
        case .high: return 2
        case .critical: return 3
        }
    }

    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }

    /// Parses a severity name, ignoring case and surrounding white space (`--fail-on HIGH`).
    public init?(parsing text: String) {
        let s = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let v = Severity(rawValue: s) else { return nil }
        self = v
    }
}
