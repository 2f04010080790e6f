/// Per-token request activity for two detectors: retry_storm (hits within a sliding window) and
/// expiring_with_retries (retries inside the margin before the token's expiry).
///
/// One dictionary lookup per request event serves both. An entry lives while its token is unexpired or was hit
/// within the storm window; the map is swept when it has doubled since the last sweep, so the cost is amortised
/// O(1) per event and the memory is bounded by the live tokens.
struct TokenActivityTracker: Sendable {
    struct State: Sendable {
        /// When the current execution began, 0 when unknown (a journal cut at the front).
        var executedAt: Int64 = 0
        /// When the token expires, 0 when unknown.
        var expiresAt: Int64 = 0
        var lastHit: Int64 = .min
        /// Hit times within the storm window, oldest first; empty until a second hit arrives within the window.
        var recent: [Int64] = []

        /// Records a request at `t` (an execution also starts a new lifetime) and returns the hits within the
        /// window, the oldest of them, and the current execution's start and expiry.
        mutating func record(at t: Int64, executes: Bool, expiresAt expiry: Int64, window: Int64, keep: Int)
            -> (Int, Int64, Int64, Int64) {
            if executes {
                executedAt = t
                expiresAt = expiry
            }
            let (c, f) = hit(at: t, window: window, keep: keep)
            return (c, f, executedAt, expiresAt)
        }

        /// Records a hit at `t` and returns how many hits are within `window` of it and the oldest of those.
        mutating func hit(at t: Int64, window: Int64, keep: Int) -> (count: Int, first: Int64) {
            defer { lastHit = t }
            if recent.isEmpty {
                guard lastHit != .min, t - lastHit <= window else { return (1, t) }
                recent = [lastHit, t]
                return (2, lastHit)
            }
            recent.append(t)
            var drop = 0
            while drop < recent.count - 1, t - recent[drop] > window { drop += 1 }
            if recent.count - drop > keep { drop = recent.count - keep }
            if drop > 0 { recent.removeFirst(drop) }
            return (recent.count, recent[0])
        }
    }

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
    let keep: Int
    let config: DetectorConfig
    let cap: Int
    var states: [TokenKey: State] = [:]
    var storms: [TokenKey: Storm] = [:]
    var expiring: [TokenKey: Expiring] = [:]
    var droppedStorms = 0
    var droppedExpiring = 0
    var highWater: Int64 = .min
    var sweepAt = 4096

    init(config: DetectorConfig) {
        self.config = config
        stormHits = max(1, config.stormHits)
        stormWindow = config.stormWindow.ms
        keep = max(2, stormHits * max(1, config.stormHighFactor) + 1)
        cap = config.maxFindingsPerKind
    }

    /// A request event with its outcome.
    mutating func request(_ e: StoreEvent, _ outcome: Outcome) {
        let t = e.at.ms
        if t > highWater { highWater = t }
        let key = e.key
        let (count, first, executedAt, expiresAt) = states[key, default: State()].record(
            at: t, executes: outcome.executes, expiresAt: e.expiresAt?.ms ?? 0, window: stormWindow, keep: keep)
        if count > stormHits { storm(key, e, first: first, count: count) }
        if (outcome == .replayed || outcome == .conflict), expiresAt != 0, executedAt != 0, t < expiresAt {
            let margin = config.expiryMargin(executedAt: Instant(ms: executedAt), expiresAt: Instant(ms: expiresAt)).ms
            if t >= expiresAt - margin { retryNearExpiry(key, e, outcome, expiresAt: expiresAt, margin: margin) }
        }
        if states.count >= sweepAt { sweep() }
    }

    /// A completion that moves the token's expiry.
    mutating func completed(_ e: StoreEvent) {
        guard let x = e.expiresAt?.ms else { return }
        states[e.key]?.expiresAt = x
    }

    private mutating func storm(_ key: TokenKey, _ e: StoreEvent, first: Int64, count: Int) {
        let t = e.at.ms
        if storms[key] != nil {
            storms[key]?.last = t
            if count > (storms[key]?.peak ?? 0) { storms[key]?.peak = count }
        } else if storms.count < cap {
            storms[key] = Storm(tenant: e.tenant, token: e.token, operation: e.operation, first: first, last: t, peak: count)
        } else {
            droppedStorms += 1
        }
    }

    private mutating func retryNearExpiry(_ key: TokenKey, _ e: StoreEvent, _ outcome: Outcome, expiresAt: Int64, margin: Int64) {
        let t = e.at.ms
        if expiring[key] == nil {
            guard expiring.count < cap else { droppedExpiring += 1; return }
            expiring[key] = Expiring(tenant: e.tenant, token: e.token, operation: e.operation, first: t, last: t,
                                     expiresAt: expiresAt, margin: margin)
        }
        expiring[key]?.last = t
        expiring[key]?.expiresAt = expiresAt
        expiring[key]?.margin = margin
        if outcome == .conflict { expiring[key]?.conflicts += 1 } else { expiring[key]?.replays += 1 }
    }

    /// Drops tokens that are expired (or of unknown expiry) and idle for longer than the storm window.
    mutating func sweep() {
        let now = highWater
        let window = stormWindow
        states = states.filter { _, s in (s.expiresAt != 0 && s.expiresAt > now) || now - s.lastHit <= window }
        sweepAt = max(4096, states.count * 2)
    }

    /// The findings this tracker holds.
    func findings(into out: inout [Finding]) {
        for s in storms.values {
            let high = s.peak >= stormHits * max(1, config.stormHighFactor)
            let evidence = "\(s.peak >= keep ? "at least " : "")\(s.peak) requests within \(config.stormWindow.compact) "
                + "(threshold: more than \(stormHits)); storming from \(Instant(ms: s.first).rfc3339) "
                + "to \(Instant(ms: s.last).rfc3339): a retry loop without backoff"
            out.append(Finding(kind: .retryStorm, severity: high ? .high : .medium, tenant: s.tenant, tokens: [s.token],
                               firstSeen: Instant(ms: s.first), lastSeen: Instant(ms: s.last), evidence: evidence,
                               operation: s.operation, count: s.peak))
        }
        for x in expiring.values {
            let retries = x.replays + x.conflicts
            var evidence = "retried \(retries) time\(retries == 1 ? "" : "s") (\(x.replays) replayed, \(x.conflicts) conflict)"
            evidence += " in the last \(TimeSpan(ms: x.margin).compact) before expiry at \(Instant(ms: x.expiresAt).rfc3339)"
            evidence += "; last retry \(TimeSpan(ms: x.expiresAt - x.last).compact) before expiry"
            evidence += ": a retry after expiry runs the work again"
            out.append(Finding(kind: .expiringWithRetries, severity: .medium, tenant: x.tenant, tokens: [x.token],
                               firstSeen: Instant(ms: x.first), lastSeen: Instant(ms: x.last), evidence: evidence,
                               operation: x.operation, count: retries))
        }
    }
}
