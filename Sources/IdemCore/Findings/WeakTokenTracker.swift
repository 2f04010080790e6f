/// Finds tenants whose clients make predictable tokens: weak_token, one finding per tenant with examples.
///
/// Each executed request's token is classified once (`TokenWeakness.classify`); only weak ones touch the per-tenant
/// counts (per reason, plus a few examples), so the common case costs the classification alone and the memory is
/// bounded by the number of tenants. How many tokens a tenant has in all is read from the ledger when reporting.
struct WeakTokenTracker: Detector {
    struct Tenant: Sendable {
        var weak = 0
        var byReason: [Int] = [0, 0, 0, 0]
        var examples: [String] = []
        /// The first example of each reason, so the evidence can show one of each.
        var firstOf: [String?] = [nil, nil, nil, nil]
        var first: Int64 = .max
        var last: Int64 = .min
    }

    let config: DetectorConfig
    let minLength: Int
    let minDistinct: Int
    var tenants: [String: Tenant] = [:]
    /// Tenants where a weak-looking token was also sent with another payload (a mismatch): the weakness already bit.
    var collided: Set<String> = []

    init(config: DetectorConfig) {
        self.config = config
        minLength = config.minTokenLength
        minDistinct = config.minDistinctChars
    }

    static func index(_ w: TokenWeakness) -> Int {
        switch w {
        case .timestamp: return 0
        case .counter: return 1
        case .short: return 2
        case .lowEntropy: return 3
        }
    }

    /// Executed requests (the token is classified) and mismatches (a weak token that collided); nothing else.
    mutating func observe(_ e: StoreEvent) {
        guard e.kind == .request else { return }
        if e.outcome == .executed {
            executed(e)
        } else if e.outcome == .mismatch, !collided.contains(e.tenant),
                  TokenWeakness.classify(e.token, config: config) != nil {
            collided.insert(e.tenant)
        }
    }

    func report(at now: Instant, ledger: Ledger, into out: inout [Finding]) -> [FindingKind: Int] {
        findings(collided: collided, ledger: ledger, into: &out)
        return [:]
    }

    /// A request whose outcome is `executed`: a token's first use (or its first after a purge or a failure).
    mutating func executed(_ e: StoreEvent) {
        var token = e.token
        let (minLength, minDistinct) = (self.minLength, self.minDistinct)
        let weakness = token.withUTF8 {
            TokenWeakness.classify(bytes: $0, minLength: minLength, minDistinct: minDistinct)
        }
        guard let weakness else { return }
        let examples = config.maxExamples
        tenants[e.tenant, default: Tenant()].note(e, weakness, examples: examples)
    }

    /// The findings; `collided` holds the tenants where a weak token was also seen with another payload.
    func findings(collided: Set<String>, ledger: Ledger, into out: inout [Finding]) {
        guard !tenants.isEmpty else { return }
        var tokensPerTenant = [Int](repeating: 0, count: ledger.tenants.count)
        for r in ledger.records { tokensPerTenant[Int(r.tenantID)] += 1 }
        for (name, t) in tenants where t.weak > 0 {
            let all = max(t.weak, ledger.tenants.lookup(name).map { tokensPerTenant[Int($0)] } ?? 0)
            var parts: [String] = []
            for w in TokenWeakness.allCases {
                let i = WeakTokenTracker.index(w)
                guard t.byReason[i] > 0 else { continue }
                let example = t.firstOf[i].map { " (e.g. \($0))" } ?? ""
                parts.append("\(w.rawValue): \(t.byReason[i])\(example)")
            }
            var evidence = "\(t.weak) of \(all) tokens look predictable: \(parts.joined(separator: ", "))"
            evidence += "; expected a UUID or a random string of \(config.minTokenLength)+ characters"
            let severity: Severity
            if collided.contains(name) {
                severity = .high
                evidence += "; one of them was also sent with another payload (a mismatch: a collision or a reuse)"
            } else if t.byReason[WeakTokenTracker.index(.short)] == t.weak {
                severity = .low
            } else {
                severity = .medium
            }
            out.append(Finding(kind: .weakToken, severity: severity, tenant: name, tokens: t.examples,
                               firstSeen: Instant(ms: t.first), lastSeen: Instant(ms: t.last), evidence: evidence,
                               count: t.weak))
        }
    }
}

extension WeakTokenTracker.Tenant {
    mutating func note(_ e: StoreEvent, _ weakness: TokenWeakness, examples limit: Int) {
        let t = e.at.ms
        let i = WeakTokenTracker.index(weakness)
        weak += 1
        byReason[i] += 1
        if firstOf[i] == nil { firstOf[i] = e.token }
        if examples.count < limit, !examples.contains(e.token) { examples.append(e.token) }
        if t < first { first = t }
        if t > last { last = t }
    }
}
