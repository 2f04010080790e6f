/// Finds one payload executed under several tokens close together: double_charge_suspect.
///
/// Keeps, per (tenant, operation, fingerprint), the executions within the window of the newest one (a 32-byte
/// slot keyed by the payload's `StableHash`), and an open incident while executions under different tokens keep
/// coming within the window of each other. Slots live in two generations: a slot touched now moves to `current`;
/// once per window of event time `previous` (untouched for a whole window, so too old to join anything) is dropped
/// and `current` becomes `previous`, and incidents quiet for a window are closed. Nothing is rehashed, and the
/// memory is bounded by the executions of the last two windows.
struct DoubleChargeTracker: Detector {
    /// What a payload is: the slots are keyed by its `StableHash`, the incident keeps the names.
    struct Key: Hashable, Sendable {
        var tenant: String
        var operation: String
        var fingerprint: Fingerprint
    }

    struct Execution: Sendable, Hashable {
        var token: String
        var at: Int64
        /// The store it ran in: the same token in two stores is two tokens (a retry sent to another region).
        var store: UInt8 = 0

        func sameToken(_ other: Execution) -> Bool { token == other.token && store == other.store }
    }

    /// A burst of executions of one payload under two or more tokens.
    struct Incident: Sendable {
        var key: Key
        /// The executions, oldest first (at most `maxListed`; `executions` counts them all).
        var listed: [Execution]
        var tokens: [String]
        /// The store of each of `tokens`.
        var stores: [UInt8] = []
        var distinctTokens: Int
        var executions: Int
        var first: Int64
        var last: Int64

        mutating func add(_ x: Execution, maxListed: Int) {
            executions += 1
            if x.at > last { last = x.at }
            if x.at < first { first = x.at }
            if listed.count < maxListed { listed.append(x) }
            if !zip(tokens, stores).contains(where: { $0 == x.token && $1 == x.store }) {
                distinctTokens += 1
                if tokens.count < maxListed {
                    tokens.append(x.token)
                    stores.append(x.store)
                }
            }
        }
    }

    struct Slot: Sendable {
        /// The newest execution while only one token was seen within the window (no array allocated: most
        /// payloads execute once).
        var lone: Execution
        /// The executions within the window, oldest first, once a second token arrived; else empty.
        var recent: [Execution] = []
    }

    let window: Int64
    let maxListed: Int
    let config: DetectorConfig
    var current: [UInt64: Slot] = [:]
    var previous: [UInt64: Slot] = [:]
    /// Incidents still open, by payload hash.
    var open: [UInt64: Incident] = [:]
    var closed: [Incident] = []
    var dropped = 0
    var highWater: Int64 = .min
    var nextRotation: Int64 = .min

    init(config: DetectorConfig) {
        self.config = config
        window = config.doubleChargeWindow.ms
        maxListed = max(2, config.maxExamples * 4)
    }

    /// Executed and reexecuted requests; nothing else.
    mutating func observe(_ e: StoreEvent) {
        guard e.kind == .request, let o = e.outcome, o == .executed || o == .reexecuted else { return }
        executed(e)
    }

    /// The findings (closed incidents and the ones still open); nothing is judged at `now`.
    func report(at now: Instant, ledger: Ledger, into out: inout [Finding]) -> [FindingKind: Int] {
        findings(into: &out, storeNames: ledger.storeNames)
        return [:]
    }

    var droppedByKind: [FindingKind: Int] { .counted((.doubleChargeSuspect, dropped)) }

    /// An executed or reexecuted request.
    mutating func executed(_ e: StoreEvent) {
        guard let fp = e.fingerprint, !fp.isEmpty else { return }
        let t = e.at.ms
        if t > highWater { highWater = t }
        if nextRotation == .min { nextRotation = t + window }
        if highWater >= nextRotation { rotate() }
        let operation = e.operation ?? "", tenant = e.tenant
        let h = StableHash.of(tenant: tenant, operation: operation, fingerprint: fp)
        let x = Execution(token: e.token, at: t, store: e.store)
        if !previous.isEmpty, let moved = previous.removeValue(forKey: h) { current[h] = moved }
        guard current[h, default: Slot(lone: x)].add(x, window: window) else { return }
        // Suspect: another token executed this payload within the window.
        if let last = open[h]?.last, x.at - last <= window {
            open[h]?.add(x, maxListed: maxListed)
            return
        }
        if let finished = open.removeValue(forKey: h) { close(finished) }
        var fresh = Incident(key: Key(tenant: tenant, operation: operation, fingerprint: fp), listed: [], tokens: [],
                             distinctTokens: 0, executions: 0, first: x.at, last: x.at)
        for r in current[h]?.recent ?? [x] { fresh.add(r, maxListed: maxListed) }
        open[h] = fresh
    }

    /// How many payloads are remembered (for tests of the memory bound).
    var liveSlots: Int { current.count + previous.count }

    private mutating func close(_ incident: Incident) {
        if closed.count < config.maxFindingsPerKind { closed.append(incident) } else { dropped += 1 }
    }

    /// Drops the previous generation, closes incidents quiet for a window, and starts a new generation.
    mutating func rotate() {
        let horizon = highWater - window
        if !open.isEmpty {
            for (h, incident) in open where incident.last < horizon {
                close(incident)
                open.removeValue(forKey: h)
            }
        }
        previous = current
        current = Dictionary(minimumCapacity: previous.count)
        nextRotation = highWater + window
    }

    /// The findings: closed incidents and the ones still open; `storeNames` name the stores of an incident that
    /// spans several.
    func findings(into out: inout [Finding], storeNames: [String] = []) {
        for incident in closed { out.append(finding(incident, storeNames: storeNames)) }
        for incident in open.values { out.append(finding(incident, storeNames: storeNames)) }
    }

    func finding(_ i: Incident, storeNames: [String] = []) -> Finding {
        let money = config.movesMoney(i.key.operation)
        let critical = money || i.distinctTokens >= config.doubleChargeCriticalTokens
        let side = i.listed.map { "\($0.token) at \(Instant(ms: $0.at).rfc3339)" }.joined(separator: ", ")
        let more = i.executions > i.listed.count ? " and \(i.executions - i.listed.count) more" : ""
        let op = i.key.operation.isEmpty ? "one operation" : i.key.operation
        let evidence = "\(op) with payload \(i.key.fingerprint.short()) executed \(i.executions) times under "
            + "\(i.distinctTokens) tokens within \(TimeSpan(ms: window).compact) of each other: \(side)\(more)"
            + " (a new token on each retry defeats deduplication)"
        let spanned = Array(Set(i.stores)).sorted()
        let across = spanned.count > 1
            ? "; across stores " + spanned.map { Int($0) < storeNames.count ? storeNames[Int($0)] : "#\($0)" }
                .joined(separator: ", ") + ", each of which saw one execution only"
            : ""
        var f = Finding(kind: .doubleChargeSuspect, severity: critical ? .critical : .high, tenant: i.key.tenant,
                        tokens: i.tokens, firstSeen: Instant(ms: i.first), lastSeen: Instant(ms: i.last),
                        evidence: evidence + across, operation: i.key.operation.isEmpty ? nil : i.key.operation,
                        count: i.distinctTokens)
        if storeNames.count > 1 { f.stores = i.stores }
        return f
    }
}

extension DoubleChargeTracker.Slot {
    /// Adds an execution; returns whether another token executed this payload within the window (a suspect).
    mutating func add(_ x: DoubleChargeTracker.Execution, window: Int64) -> Bool {
        if recent.isEmpty {
            // One token so far: keep its newest execution only, until another token arrives within the window.
            if x.sameToken(lone) || x.at - lone.at > window {
                lone = x
                return false
            }
            recent = [lone]
        }
        var drop = 0
        while drop < recent.count, x.at - recent[drop].at > window { drop += 1 }
        if drop > 0 { recent.removeFirst(drop) }
        recent.append(x)
        if recent.count > 64 { recent.removeFirst(recent.count - 64) }
        return recent.contains { !$0.sameToken(x) }
    }
}
