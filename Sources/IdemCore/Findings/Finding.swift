/// One problem the detectors found: what, how bad, where, which tokens, when, and the evidence in words.
///
/// A finding stands for a group of events (an incident), not a single event: a retry storm is one finding per token,
/// a double charge one finding per burst of executions of one payload.
public struct Finding: Sendable, Hashable {
    /// The key of one of `tokens` (index `i`), in its store.
    public func key(_ i: Int) -> TokenKey {
        TokenKey(tenant: tenant, token: tokens[i], store: i < stores.count ? stores[i] : 0)
    }

    public var kind: FindingKind
    public var severity: Severity
    public var tenant: String
    /// The tokens involved, in the order they were seen; for per-tenant findings, a few examples.
    public var tokens: [String]
    /// With several stores open, the store of each of `tokens` (empty with one store).
    public var stores: [UInt8] = []
    public var firstSeen: Instant
    public var lastSeen: Instant
    /// What was seen, in one line, with times and counts: what an engineer needs to act without opening the store.
    public var evidence: String
    /// The operation the tokens guard, when the finding is about one operation.
    public var operation: String?
    /// How many events (or tokens, for per-tenant findings) the finding stands for.
    public var count: Int

    public init(kind: FindingKind, severity: Severity, tenant: String, tokens: [String], firstSeen: Instant,
                lastSeen: Instant, evidence: String, operation: String? = nil, count: Int = 1) {
        self.kind = kind
        self.severity = severity
        self.tenant = tenant
        self.tokens = tokens
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.evidence = evidence
        self.operation = operation
        self.count = count
    }

    /// The report order: most severe first, then oldest first, then by kind, tenant and tokens (a total order).
    public static func reportOrder(_ a: Finding, _ b: Finding) -> Bool {
        if a.severity != b.severity { return a.severity > b.severity }
        if a.firstSeen != b.firstSeen { return a.firstSeen < b.firstSeen }
        if a.kind != b.kind { return a.kind.rank < b.kind.rank }
        if a.tenant != b.tenant { return a.tenant < b.tenant }
        if a.tokens != b.tokens { return a.tokens.lexicographicallyPrecedes(b.tokens) }
        if a.lastSeen != b.lastSeen { return a.lastSeen < b.lastSeen }
        return a.evidence < b.evidence
    }
}

extension Array where Element == Finding {
    /// Only the findings whose `lastSeen` is at or after `since` (all of them when `since` is nil).
    public func since(_ since: Instant?) -> [Finding] {
        guard let since else { return self }
        return filter { $0.lastSeen >= since }
    }

    /// The highest severity present, nil when empty.
    public var worstSeverity: Severity? { map(\.severity).max() }
}
