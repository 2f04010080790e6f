/// Watches a store's events for the known pitfalls of idempotency tokens and reports them as `Finding`s.
///
/// Feed it every event in store order, then ask for the findings whenever a report is due:
///
/// ```swift
/// var detector = FindingsDetector(config: .standard)
/// for event in events { detector.observe(event) }
/// let findings = detector.findings(at: now, ledger: ledger)
/// ```
///
/// `observe` is incremental and cheap: a request costs one probe of a flat per-token table (storms, expiry margins),
/// an execution also one payload lookup (double charges) and a token classification (weak tokens); rarer outcomes
/// touch small per-token maps. Its state is pruned by event time, so it stays bounded on a long journal: the live
/// tokens, the executions of the last two double-charge windows, counts per tenant, and at most
/// `maxFindingsPerKind` findings per kind (the rest are counted: `report(at:ledger:)`). The clock-dependent
/// detector (`stuck`) reads the ledger at `now` and lists the most overdue tokens up to the same cap, and
/// the reports read the ledger for what a token holds now. Pure: no I/O, no clock reads.
///
/// Observe only the events up to the time you will judge at: findings are built from every event observed.
public struct FindingsDetector: Sendable {
    public let config: DetectorConfig
    var activity: TokenActivityTracker
    var doubleCharges: DoubleChargeTracker
    var reexecutions: ReexecutionTracker
    var reuse: ReuseTracker
    var weak: WeakTokenTracker
    /// How many events were observed.
    public private(set) var observed = 0

    public init(config: DetectorConfig = .standard) {
        self.config = config
        activity = TokenActivityTracker(config: config)
        doubleCharges = DoubleChargeTracker(config: config)
        reexecutions = ReexecutionTracker(config: config)
        reuse = ReuseTracker(config: config)
        weak = WeakTokenTracker(config: config)
    }

    /// Takes one event into account. Call it for every event, in store order.
    public mutating func observe(_ e: StoreEvent) {
        observed += 1
        switch e.kind {
        case .request:
            let outcome = e.outcome ?? .replayed
            activity.request(e, outcome)
            switch outcome {
            case .executed:
                weak.executed(e)
                doubleCharges.executed(e)
            case .reexecuted:
                reexecutions.reexecuted(e)
                doubleCharges.executed(e)
            case .mismatch:
                reuse.mismatch(e)
            case .replayed, .conflict:
                break
            }
        case .completed:
            if e.expiresAt != nil { activity.completed(e) }
        case .failed, .purge, .replay:
            break
        }
    }

    /// Takes a sequence of events into account, in order.
    public mutating func observe<S: Sequence>(contentsOf events: S) where S.Element == StoreEvent {
        for e in events { observe(e) }
    }

    /// Every finding so far, most severe first (see `Finding.reportOrder`).
    ///
    /// - Parameters:
    ///   - now: the time the clock-dependent findings are judged at (`stuck`).
    ///   - ledger: the aggregate over the same events, for the records' current state.
    ///   - since: when given, only findings whose `lastSeen` is at or after it (`idemtop audit --since`).
    public func findings(at now: Instant, ledger: Ledger, since: Instant? = nil) -> [Finding] {
        report(at: now, ledger: ledger, since: since).findings
    }

    /// The findings (as `findings(at:ledger:since:)`) and what was counted but not listed, by kind (empty in normal
    /// use): the event-driven kinds counted as they were dropped, and the stuck tokens past the cap at `now`.
    public func report(at now: Instant, ledger: Ledger, since: Instant? = nil)
        -> (findings: [Finding], suppressed: [FindingKind: Int]) {
        var out: [Finding] = []
        doubleCharges.findings(into: &out)
        reexecutions.findings(into: &out)
        reuse.findings(ledger: ledger, into: &out)
        activity.findings(into: &out)
        weak.findings(collided: collidedTenants(), ledger: ledger, into: &out)
        let stuckLeftOut = LedgerFindings.stuck(ledger: ledger, at: now, config: config, into: &out)
        if let since { out.removeAll { $0.lastSeen < since } }
        out.sort(by: Finding.reportOrder)
        var left = suppressed
        if stuckLeftOut > 0 { left[.stuck] = stuckLeftOut }
        return (out, left)
    }

    /// Findings of the event-driven kinds not kept because their kind reached `maxFindingsPerKind`, by kind.
    public var suppressed: [FindingKind: Int] {
        var out: [FindingKind: Int] = [:]
        let counts: [(FindingKind, Int)] = [
            (.doubleChargeSuspect, doubleCharges.dropped), (.reexecutedAfterExpiry, reexecutions.dropped),
            (.tokenReuse, reuse.dropped), (.retryStorm, activity.droppedStorms),
            (.expiringWithRetries, activity.droppedExpiring),
        ]
        for (kind, n) in counts where n > 0 { out[kind] = n }
        return out
    }

    /// Tenants where a weak-looking token was also sent with another payload: the weakness already bit.
    func collidedTenants() -> Set<String> {
        var out: Set<String> = []
        for x in reuse.entries.values where !out.contains(x.tenant) {
            if TokenWeakness.classify(x.token, config: config) != nil { out.insert(x.tenant) }
        }
        return out
    }
}
