/// Per-token request activity for two detectors: retry_storm (hits within a sliding window) and
/// expiring_with_retries (retries inside the margin before the token's expiry).
///
/// Every request event costs one probe of a flat `TokenTable` keyed by the token's `StableHash`. An entry lives
/// while its token is unexpired or was hit within the storm window, so memory is bounded by the live tokens.
/// Tokens hit twice within the storm window also get a short list of hit times in `bursts`, dropped once a window
/// of event time passes without a hit.
struct TokenActivityTracker: Detector {
    /// One token's storm: from the first window over the threshold to the last hit that kept it over.
    struct Storm: Sendable {
        var tenant: String
        var token: String
        var operation: String?
        var first: Int64
        var last: Int64
        var peak: Int
    }

    /// One token's retries inside its expiry margin.
    struct Expiring: Sendable {
        var tenant: String
        var token: String
        var operation: String?
        var first: Int64
        var last: Int64
        var replays = 0
        var conflicts = 0
        var expiresAt: Int64
        var margin: Int64
    }

    let stormHits: Int
    let stormWindow: Int64
    /// The longest hit list kept per token: enough to tell a medium storm from a high one.
    let keep: Int
    let config: DetectorConfig
    let cap: Int
    var table = TokenTable()
    /// Hit times within the storm window, oldest first, for tokens hit at least twice within it.
    var bursts: [UInt64: [Int64]] = [:]
    var storms: [UInt64: Storm] = [:]
    var expiring: [UInt64: Expiring] = [:]
    var droppedStorms = 0
    var droppedExpiring = 0
    var highWater: Int64 = .min
    var nextBurstSweep: Int64 = .min

    init(config: DetectorConfig) {
        self.config = config
        stormHits = max(1, config.stormHits)
        stormWindow = config.stormWindow.ms
        keep = max(2, stormHits * max(1, config.stormHighFactor) + 1)
        cap = config.maxFindingsPerKind
    }

    /// Every request (one without an outcome counts as `replayed`), and completions that move an expiry.
    mutating func observe(_ e: StoreEvent) {
        switch e.kind {
        case .request: request(e, e.outcome ?? .replayed)
        case .completed: if e.expiresAt != nil { completed(e) }
        case .failed, .purge, .replay: break
        }
    }

    func report(at now: Instant, ledger: Ledger, into out: inout [Finding]) -> [FindingKind: Int] {
        findings(into: &out)
        return [:]
    }

    var droppedByKind: [FindingKind: Int] {
        .counted((.retryStorm, droppedStorms), (.expiringWithRetries, droppedExpiring))
    }

    /// A request event with its outcome.
    mutating func request(_ e: StoreEvent, _ outcome: Outcome) {
        let t = e.at.ms
        if t > highWater { highWater = t }
        if table.isFull { sweepTable() }
        let h = StableHash.of(tenant: e.tenant, token: e.token)
        let executes = outcome.executes
        let expiry = e.expiresAt?.ms ?? 0
        let (previousHit, executedAt, expiresAt) = table.withEntry(h) { entry, _ -> (Int64, Int64, Int64) in
            if executes {
                entry.executedAt = t
                entry.expiresAt = expiry
            }
            let previous = entry.lastHit
            entry.lastHit = t
            return (previous, entry.executedAt, entry.expiresAt)
        }

        if previousHit != .min, t - previousHit <= stormWindow {
            let (count, first) = burst(h, previousHit: previousHit, at: t)
            if count > stormHits { storm(h, e, first: first, count: count) }
        }
        if outcome == .replayed || outcome == .conflict, expiresAt != 0, executedAt != 0, t < expiresAt {
            let margin = config.expiryMargin(executedAt: Instant(ms: executedAt), expiresAt: Instant(ms: expiresAt)).ms
            if t >= expiresAt - margin { retryNearExpiry(h, e, outcome, expiresAt: expiresAt, margin: margin) }
        }
        if highWater >= nextBurstSweep { sweepBursts() }
    }

    /// A completion that moves the token's expiry.
    mutating func completed(_ e: StoreEvent) {
        guard let x = e.expiresAt?.ms else { return }
        table.update(StableHash.of(tenant: e.tenant, token: e.token)) { $0.expiresAt = x }
    }

    /// Adds a hit at `t` to the token's burst (a hit at `previousHit` came within the window) and returns how many
    /// hits are within the window of `t`, and the oldest of them.
    private mutating func burst(_ h: UInt64, previousHit: Int64, at t: Int64) -> (Int, Int64) {
        let window = stormWindow, keep = self.keep
        return { (times: inout [Int64]) -> (Int, Int64) in
            times.append(t)
            var drop = 0
            while drop < times.count - 1, t - times[drop] > window { drop += 1 }
            if times.count - drop > keep { drop = times.count - keep }
            if drop > 0 { times.removeFirst(drop) }
            return (times.count, times[0])
        }(&bursts[h, default: [previousHit]])
    }

    private mutating func storm(_ h: UInt64, _ e: StoreEvent, first: Int64, count: Int) {
        let t = e.at.ms
        if storms[h] != nil {
            storms[h]?.last = t
            if count > (storms[h]?.peak ?? 0) { storms[h]?.peak = count }
        } else if storms.count < cap {
            storms[h] = Storm(tenant: e.tenant, token: e.token, operation: e.operation, first: first, last: t,
                              peak: count)
        } else {
            droppedStorms += 1
        }
    }

    private mutating func retryNearExpiry(_ h: UInt64, _ e: StoreEvent, _ outcome: Outcome, expiresAt: Int64,
                                          margin: Int64) {
        let t = e.at.ms
        if expiring[h] == nil {
            guard expiring.count < cap else { droppedExpiring += 1; return }
            expiring[h] = Expiring(tenant: e.tenant, token: e.token, operation: e.operation, first: t, last: t,
                                   expiresAt: expiresAt, margin: margin)
        }
        expiring[h]?.note(t, conflict: outcome == .conflict, expiresAt: expiresAt, margin: margin)
    }

    /// Drops tokens that are expired (or of unknown expiry) and idle for longer than the storm window.
    mutating func sweepTable() {
        let now = highWater, window = stormWindow
        table.rebuild { e in (e.expiresAt != 0 && e.expiresAt > now) || now - e.lastHit <= window }
    }

    /// Drops burst lists whose last hit is more than a window old; runs once per window of event time.
    mutating func sweepBursts() {
        let now = highWater, window = stormWindow
        if !bursts.isEmpty { bursts = bursts.filter { now - ($0.value.last ?? .min) <= window } }
        nextBurstSweep = now + window
    }

    /// The findings this tracker holds.
    func findings(into out: inout [Finding]) {
        for s in storms.values {
            let high = s.peak >= stormHits * max(1, config.stormHighFactor)
            let peak = "\(s.peak >= keep ? "at least " : "")\(s.peak)"
            let evidence = "\(peak) requests within \(config.stormWindow.compact) "
                + "(threshold: more than \(stormHits)); storming from \(Instant(ms: s.first).rfc3339) "
                + "to \(Instant(ms: s.last).rfc3339): a retry loop without backoff"
            out.append(Finding(kind: .retryStorm, severity: high ? .high : .medium, tenant: s.tenant, tokens: [s.token],
                               firstSeen: Instant(ms: s.first), lastSeen: Instant(ms: s.last), evidence: evidence,
                               operation: s.operation, count: s.peak))
        }
        for x in expiring.values {
            let retries = x.replays + x.conflicts
            var evidence = "retried \(retries) time\(retries == 1 ? "" : "s") "
            evidence += "(\(x.replays) replayed, \(x.conflicts) conflict)"
            evidence += " in the last \(TimeSpan(ms: x.margin).compact) before expiry at "
            evidence += Instant(ms: x.expiresAt).rfc3339
            evidence += "; last retry \(TimeSpan(ms: x.expiresAt - x.last).compact) before expiry"
            evidence += ": a retry after expiry runs the work again"
            out.append(Finding(kind: .expiringWithRetries, severity: .medium, tenant: x.tenant, tokens: [x.token],
                               firstSeen: Instant(ms: x.first), lastSeen: Instant(ms: x.last), evidence: evidence,
                               operation: x.operation, count: retries))
        }
    }
}

extension TokenActivityTracker.Expiring {
    mutating func note(_ t: Int64, conflict: Bool, expiresAt x: Int64, margin m: Int64) {
        if t < first { first = t }
        if t > last { last = t }
        expiresAt = x
        margin = m
        if conflict { conflicts += 1 } else { replays += 1 }
    }
}
