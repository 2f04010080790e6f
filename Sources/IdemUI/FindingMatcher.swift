import IdemCore

/// The `/` filter language applied to findings: the findings view's filter, parsed by `Filter.parse` (one parser).
///
/// Terms about a finding itself: free text (in its tenant, operation, tokens, kind or evidence), `tenant:`, `op:`,
/// `token:` (any of its tokens), `finding:KIND` / `kind:KIND`, `severity:LEVEL` (that severe or worse). Any other
/// term is about records (`status:`, counts, `age>`, `store:`, and the time terms): a finding matches it when the
/// record of one of its tokens does. A leading `!` negates either kind.
struct FindingMatcher {
    private let terms: [Filter.Term]
    private let ledger: Ledger
    /// One compiled record matcher per record term, in the order of `terms` (nil for terms about the finding).
    private let recordTerms: [FilterMatcher?]

    init(_ filter: Filter, ledger: Ledger, now: Instant, findings: [Finding]) {
        terms = filter.terms
        self.ledger = ledger
        recordTerms = filter.terms.map { t in
            FindingMatcher.isAboutFinding(t) ? nil
                : FilterMatcher(Filter(terms: [t]), ledger: ledger, now: now, findings: findings)
        }
    }

    /// Whether a term is answered by the finding's own fields (else by its tokens' records).
    static func isAboutFinding(_ t: Filter.Term) -> Bool {
        switch t {
        case .text, .tenant, .operation, .token, .finding, .severity: return true
        // The time terms go to the tokens' records: `at:07:10..07:20` keeps a finding one of whose tokens had an
        // event in the window, which is "what happened around 07:14" for a finding too.
        case .not(let inner): return isAboutFinding(inner)
        default: return false
        }
    }

    /// Whether the finding matches every term.
    func matches(_ f: Finding) -> Bool {
        for (t, record) in zip(terms, recordTerms) {
            if let record {
                guard anyToken(of: f, matches: record) else { return false }
            } else if !test(t, f) {
                return false
            }
        }
        return true
    }

    private func anyToken(of f: Finding, matches m: FilterMatcher) -> Bool {
        f.tokens.indices.contains { i in
            guard let r = ledger.indexOf(f.key(i)) else { return false }
            return m.matches(ledger.records[r], at: r)
        }
    }

    private func test(_ t: Filter.Term, _ f: Finding) -> Bool {
        func has(_ s: String, _ needle: String) -> Bool { s.lowercased().contains(needle) }
        switch t {
        case .text(let s):
            return has(f.tenant, s) || has(f.operation ?? "", s) || f.tokens.contains { has($0, s) }
                || has(f.kind.rawValue, s) || has(f.evidence, s)
        case .tenant(let s): return has(f.tenant, s)
        case .operation(let s): return has(f.operation ?? "", s)
        case .token(let s): return f.tokens.contains { has($0, s) }
        case .finding(let k): return f.kind == k
        case .severity(let least): return f.severity >= least
        case .not(let inner): return !test(inner, f)
        default: return true
        }
    }
}
