/// Finds tokens sent with another payload or operation than they were first used with: token_reuse.
///
/// One finding per token (medium: the request was rejected with 422 and never ran), and one per tenant that does it
/// with `reuseTenantMinTokens` tokens or more (high: a client that reuses tokens as a habit).
struct ReuseTracker: Detector {
    struct Entry: Sendable {
        var tenant: String
        var token: String
        var first: Int64
        var last: Int64
        var count = 0
        /// The fingerprint the record held, as the first mismatch reported it.
        var stored: Fingerprint?
        /// Distinct fingerprints and operations sent (a few).
        var fingerprints: [Fingerprint] = []
        var operations: [String] = []
    }

    struct Tenant: Sendable {
        var tokens = 0
        var mismatches = 0
        var first: Int64
        var last: Int64
        var examples: [String] = []
    }

    let config: DetectorConfig
    var entries: [TokenKey: Entry] = [:]
    var tenants: [String: Tenant] = [:]
    var dropped = 0

    init(config: DetectorConfig) { self.config = config }

    /// Requests whose outcome is `mismatch`; nothing else.
    mutating func observe(_ e: StoreEvent) {
        guard e.kind == .request, e.outcome == .mismatch else { return }
        mismatch(e)
    }

    func report(at now: Instant, ledger: Ledger, into out: inout [Finding]) -> [FindingKind: Int] {
        findings(ledger: ledger, into: &out)
        return [:]
    }

    var droppedByKind: [FindingKind: Int] { .counted((.tokenReuse, dropped)) }

    /// A request whose outcome is `mismatch`. Past `maxFindingsPerKind` tokens, a token not kept is counted as new
    /// in its tenant's total on each of its mismatches (the total is then an upper bound).
    mutating func mismatch(_ e: StoreEvent) {
        let t = e.at.ms
        let key = e.key
        var isNewToken = false
        if entries[key] == nil {
            isNewToken = true
            if entries.count < config.maxFindingsPerKind {
                entries[key] = Entry(tenant: e.tenant, token: e.token, first: t, last: t, stored: e.storedFingerprint)
            } else {
                dropped += 1
            }
        }
        if entries[key] != nil {
            entries[key]?.note(e, limit: 4)
        }
        let examples = config.maxExamples
        tenants[e.tenant, default: Tenant(first: t, last: t)].note(e, newToken: isNewToken, examples: examples)
    }

    /// `at T` for one instant, `from A to B` otherwise.
    static func span(_ first: Int64, _ last: Int64) -> String {
        first == last ? "at \(Instant(ms: first).rfc3339)"
            : "from \(Instant(ms: first).rfc3339) to \(Instant(ms: last).rfc3339)"
    }

    func findings(ledger: Ledger, into out: inout [Finding]) {
        for x in entries.values {
            let storedRecord = ledger.record(TokenKey(tenant: x.tenant, token: x.token))
            let storedOp = storedRecord.map { ledger.operation(of: $0) }
            let otherOps = x.operations.filter { storedOp != nil && $0 != storedOp }
            var what: [String] = []
            if !otherOps.isEmpty { what.append("operation \(otherOps.joined(separator: ", "))") }
            let otherFps = x.fingerprints.filter { $0 != x.stored }
            if !otherFps.isEmpty { what.append("payload \(otherFps.map { $0.short() }.joined(separator: ", "))") }
            var evidence = "\(x.count) request\(x.count == 1 ? "" : "s") rejected (422) "
                + ReuseTracker.span(x.first, x.last)
            evidence += what.isEmpty ? " with another payload or operation" : " with \(what.joined(separator: " and "))"
            if let storedOp { evidence += "; the token holds \(storedOp)" }
            if let fp = x.stored {
                evidence += storedOp == nil ? "; the token holds payload \(fp.short())" : " with payload \(fp.short())"
            }
            out.append(Finding(kind: .tokenReuse, severity: .medium, tenant: x.tenant, tokens: [x.token],
                               firstSeen: Instant(ms: x.first), lastSeen: Instant(ms: x.last), evidence: evidence,
                               operation: storedOp, count: x.count))
        }
        for (name, t) in tenants where t.tokens >= config.reuseTenantMinTokens {
            let evidence = "\(t.tokens) tokens reused with another payload or operation (\(t.mismatches) requests "
                + "rejected) \(ReuseTracker.span(t.first, t.last)): this client "
                + "reuses idempotency tokens across different requests"
            out.append(Finding(kind: .tokenReuse, severity: .high, tenant: name, tokens: t.examples,
                               firstSeen: Instant(ms: t.first), lastSeen: Instant(ms: t.last), evidence: evidence,
                               count: t.tokens))
        }
    }
}

extension ReuseTracker.Entry {
    mutating func note(_ e: StoreEvent, limit: Int) {
        let t = e.at.ms
        count += 1
        if t < first { first = t }
        if t > last { last = t }
        if stored == nil { stored = e.storedFingerprint }
        if let fp = e.fingerprint, fingerprints.count < limit, !fingerprints.contains(fp) { fingerprints.append(fp) }
        if let op = e.operation, operations.count < limit, !operations.contains(op) { operations.append(op) }
    }
}

extension ReuseTracker.Tenant {
    mutating func note(_ e: StoreEvent, newToken: Bool, examples: Int) {
        let t = e.at.ms
        mismatches += 1
        if t < first { first = t }
        if t > last { last = t }
        if newToken {
            tokens += 1
            if self.examples.count < examples { self.examples.append(e.token) }
        }
    }
}
