import IdemCore

/// A parsed filter: space-separated terms, all of which must hold (AND).
///
/// Terms: free text (matched case-insensitively in token, operation or tenant), `status:stuck`, `tenant:acme`,
/// `op:refunds`, `token:3f2a`, `finding:stuck` (tokens in a current finding of that kind), counts `hits>3`,
/// `mismatches>0`, `conflicts>=1`, `reexecutions>0` with `> >= < <= =`, and the age of the current execution
/// (the AGE column) `age>10m`, `age<1h`, `severity:high` (in a finding that severe or worse; `kind:` is `finding:`),
/// times (`at:07:00..07:30`, `created>07:14`, `seen<-15m`, see `FilterTimeTerms.swift`) and bodies
/// (`body:order-1234`). A leading `!` negates a term.
public struct Filter: Sendable, Hashable {
    /// A count field a term compares.
    public enum CountField: String, Sendable, Hashable, CaseIterable {
        case hits, mismatches, conflicts, reexecutions, executions
    }
    public enum Comparison: String, Sendable, Hashable { case gt = ">", ge = ">=", lt = "<", le = "<=", eq = "=" }

    /// One condition.
    public enum Term: Sendable, Hashable {
        case text(String)
        case status(TokenStatus)
        case tenant(String)
        /// `store:NAME`: the record's store's name contains NAME (with several stores open).
        case store(String)
        case operation(String)
        case token(String)
        /// Tokens involved in a current finding of a kind (`finding:stuck`).
        case finding(FindingKind)
        case count(CountField, Comparison, Int32)
        /// How long ago the current execution began, against a duration (`age>10m`).
        case age(Comparison, TimeSpan)
        /// `at:A..B`: the token had an event in the window.
        case at(TimeWindow)
        /// `created>T`: when the current execution began, against a time.
        case created(Comparison, TimeSpec)
        /// `seen<T`: the token's last request, against a time.
        case seen(Comparison, TimeSpec)
        /// `body:TEXT`: a request or response body holds TEXT (searched in the store, see `BodySearch`).
        case body(String)
        /// `severity:high`: in the findings view, findings of that severity or worse; in the table, tokens in such a
        /// current finding.
        case severity(Severity)
        indirect case not(Term)
    }

    public var terms: [Term]
    public var source: String

    public init(terms: [Term] = [], source: String = "") {
        self.terms = terms
        self.source = source
    }

    public static let all = Filter()
    public var isEmpty: Bool { terms.isEmpty }

    static let fieldAliases: [String: CountField] = [
        "hits": .hits, "hit": .hits, "mismatches": .mismatches, "mismatch": .mismatches, "mism": .mismatches,
        "conflicts": .conflicts, "conflict": .conflicts, "reexecutions": .reexecutions, "reexecuted": .reexecutions,
        "executions": .executions,
    ]

    /// Parses filter text; the error is one line saying which term is wrong.
    public static func parse(_ text: String) -> Result<Filter, FilterError> {
        var terms: [Term] = []
        for word in text.split(separator: " ") {
            switch parseTerm(String(word)) {
            case .success(let t): terms.append(t)
            case .failure(let e): return .failure(e)
            }
        }
        return .success(Filter(terms: terms, source: text.trimmingSpaces))
    }

    static func parseTerm(_ word: String) -> Result<Term, FilterError> {
        if word.count > 1, word.hasPrefix("!") {
            return parseTerm(String(word.dropFirst())).map { .not($0) }
        }
        for op in [">=", "<=", ">", "<", "="] {
            guard let r = word.range(of: op) else { continue }
            let name = word[..<r.lowerBound].lowercased()
            if name == "age" {
                let value = String(word[r.upperBound...])
                guard let span = TimeSpan(parsing: value) else {
                    return .failure(FilterError("'\(word)': age needs a duration after \(op), such as 10m or 2h"))
                }
                return .success(.age(Comparison(rawValue: op) ?? .eq, span))
            }
            if let term = parseTimeComparison(word, name: name, op: op, value: String(word[r.upperBound...])) {
                return term
            }
            guard let field = fieldAliases[name] else { break }
            guard let n = Int32(word[r.upperBound...]) else {
                return .failure(FilterError("'\(word)': \(name) needs a whole number after \(op)"))
            }
            return .success(.count(field, Comparison(rawValue: op) ?? .eq, n))
        }
        if let colon = word.firstIndex(of: ":") {
            let name = word[..<colon].lowercased()
            let value = String(word[word.index(after: colon)...])
            guard !value.isEmpty else { return .failure(FilterError("'\(word)': nothing after '\(name):'")) }
            switch name {
            case "status", "is":
                let v = value.lowercased().replacingOccurrences(of: "-", with: "_")
                let aliases = ["inprogress": "in_progress", "progress": "in_progress", "running": "in_progress"]
                guard let s = TokenStatus(rawValue: aliases[v] ?? v) else {
                    return .failure(FilterError("'\(word)': status is one of "
                        + TokenStatus.allCases.map(\.rawValue).joined(separator: ", ")))
                }
                return .success(.status(s))
            case "tenant": return .success(.tenant(value.lowercased()))
            case "store": return .success(.store(value.lowercased()))
            case "op", "operation": return .success(.operation(value.lowercased()))
            case "token", "key": return .success(.token(value.lowercased()))
            case "at", "body": return parseTimeOrBody(word, name: name, value: value)
            case "severity", "sev":
                guard let sev = Severity(parsing: value) else {
                    return .failure(FilterError("'\(word)': severity is one of "
                        + Severity.allCases.map(\.rawValue).joined(separator: ", ")))
                }
                return .success(.severity(sev))
            case "finding", "findings", "kind":
                guard let kind = FindingKind(filterName: value) else {
                    return .failure(FilterError("'\(word)': finding is one of "
                        + FindingKind.allCases.map(\.shortLabel).joined(separator: ", ")))
                }
                return .success(.finding(kind))
            default:
                return .failure(FilterError("'\(word)': unknown field '\(name)' (status, tenant, store, op, token, finding, "
                    + "severity, at:, body:, hits>N, mismatches>N, conflicts>N, age>10m, created>T, seen<T)"))
            }
        }
        return .success(.text(word.lowercased()))
    }
}

extension Filter {
    /// Whether a term needs the current findings (`finding:KIND`), so that the caller runs the detectors first.
    public var usesFindings: Bool {
        func uses(_ t: Term) -> Bool {
            switch t {
            case .finding, .severity: return true
            case .not(let inner): return uses(inner)
            default: return false
            }
        }
        return terms.contains(where: uses)
    }

    /// The indexes of `ledger.records` that match at `now`, in ledger order: the dashboard's matching, for the
    /// headless commands (`list --filter`, `purge --filter`). `findings` serve `finding:KIND` terms.
    /// `bodies` are the records each `body:` needle found in the store (`BodySearch`).
    public func matchingRecords(in ledger: Ledger, at now: Instant, findings: [Finding] = [],
                                bodies: [String: Set<Int32>] = [:]) -> [Int32] {
        let matcher = FilterMatcher(self, ledger: ledger, now: now, findings: findings, bodies: bodies)
        return ledger.records.withUnsafeBufferPointer { matcher.select($0) }
    }
}

/// Why a filter did not parse.
public struct FilterError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
