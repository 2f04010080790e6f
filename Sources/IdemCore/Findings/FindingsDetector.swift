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
    /// Every detector, fed every event; a new detector is one line here (and its kinds in `FindingKind.table`).
    /// The order does not matter: a report is sorted (`Finding.reportOrder`).
    static func detectors(config: DetectorConfig) -> [any Detector] {
        [
            TokenActivityTracker(config: config),
            DoubleChargeTracker(config: config),
            ReexecutionTracker(config: config),
            ReuseTracker(config: config),
            WeakTokenTracker(config: config),
            StuckDetector(config: config),
            StoreFindings(config: config),
        ]
    }

    public let config: DetectorConfig
    var detectors: [any Detector]
    /// How many events were observed.
    public private(set) var observed = 0

    public init(config: DetectorConfig = .standard) {
        self.config = config
        detectors = FindingsDetector.detectors(config: config)
    }

    /// Takes one event into account. Call it for every event, in store order.
    public mutating func observe(_ e: StoreEvent) {
        observed += 1
        for i in detectors.indices { detectors[i].observe(e) }
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
        var left = suppressed
        for d in detectors {
            left.merge(d.report(at: now, ledger: ledger, into: &out), uniquingKeysWith: +)
        }
        if let since { out.removeAll { $0.lastSeen < since } }
        out.sort(by: Finding.reportOrder)
        return (out, left)
    }

    /// Findings of the event-driven kinds not kept because their kind reached `maxFindingsPerKind`, by kind.
    public var suppressed: [FindingKind: Int] {
        var out: [FindingKind: Int] = [:]
        for d in detectors { out.merge(d.droppedByKind, uniquingKeysWith: +) }
        return out
    }

    /// The detector of a type, for tests of its internals (nil when the list has none).
    func detector<D: Detector>(_ type: D.Type) -> D? {
        for d in detectors { if let x = d as? D { return x } }
        return nil
    }
}
