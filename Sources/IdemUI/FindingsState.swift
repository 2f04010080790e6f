import IdemCore

/// The dashboard's view of the detectors: fed every event, recomputed at a capped rate, and what the views show.
///
/// `observe` is per event and cheap. `refresh` scans every record (stuck tokens, the age histogram), so it runs at
/// most once per `gap(records:)` of the injected clock, and only when events arrived or a status moved with the clock.
public struct FindingsState: Sendable {
    /// How often at most the findings are recomputed: once a second, a second more per 200,000 records and per
    /// 20,000 findings last time, up to 30 s. A report over a million tokens takes about 0.1 s; one that finds
    /// hundreds of thousands of stuck tokens (a dead worker fleet) writes that many evidence lines and takes seconds.
    public static func gap(records: Int, findings: Int = 0) -> TimeSpan {
        .seconds(Int64(max(1, min(30, 1 + records / 200_000 + findings / 20_000))))
    }
    /// Tenants that get their own rates (the first seen); more are counted in the totals only.
    public static let maxTenants = 32
    /// The age histogram's upper bounds; the last bucket is everything older.
    public static let ageBuckets: [(String, TimeSpan)] = [
        ("<1m", .seconds(60)), ("<10m", .seconds(600)), ("<1h", .hours(1)), ("<6h", .hours(6)), ("<24h", .hours(24)),
    ]

    public var detector = FindingsDetector()
    /// The findings at the last refresh, most severe first.
    public private(set) var findings: [Finding] = []
    /// When the findings were last computed (nil: never).
    public private(set) var computedAt: Instant?
    /// True when events arrived or statuses moved since the last refresh.
    public var dirty = true
    /// How many findings of each kind there are (the ones not listed included), and the worst severity among the
    /// listed ones, as of the last refresh.
    public private(set) var byKind: [(FindingKind, Int, Severity?)] = []
    /// Findings counted but not listed, by kind (past `DetectorConfig.maxFindingsPerKind` of a kind).
    public private(set) var suppressed: [FindingKind: Int] = [:]
    /// Live tokens (in progress, stuck, completed and not expired) by age, one count per `ageBuckets` entry, then older.
    public private(set) var ages: [Int] = Array(repeating: 0, count: FindingsState.ageBuckets.count + 1)
    /// Request, hit and mismatch rates per tenant.
    public private(set) var tenantRates: [String: Rates] = [:]

    /// The findings view's own `/` filter (see `FindingMatcher`) and its order: newest first (`s`) or most severe.
    public private(set) var filter = Filter.all
    public private(set) var byTime = false
    /// The findings the view lists: `findings` narrowed by `filter`, in the order asked for. The cursor indexes it.
    public private(set) var shown: [Finding] = []

    /// The selected row of the findings list and the first row shown.
    public var cursor = 0
    public var scrollTop = 0

    public init() {}

    /// Feeds one event to the detectors and the per-tenant rates.
    public mutating func observe(_ e: StoreEvent) {
        detector.observe(e)
        dirty = true
        guard e.kind == .request else { return }
        if tenantRates[e.tenant] != nil {
            tenantRates[e.tenant]?.add(e)
        } else if tenantRates.count < FindingsState.maxTenants {
            var r = Rates()
            r.add(e)
            tenantRates[e.tenant] = r
        }
    }

    /// Recomputes when due (dirty and at least `gap(records:)` since the last time) or when `force`d; true when it did.
    @discardableResult
    public mutating func refresh(at now: Instant, ledger: Ledger, force: Bool = false) -> Bool {
        if !force {
            guard dirty else { return false }
            let gap = FindingsState.gap(records: ledger.count, findings: findings.count)
            if let last = computedAt, now - last < gap, now >= last { return false }
        }
        let was = selected
        (findings, suppressed) = detector.report(at: now, ledger: ledger)
        shown = narrowed(ledger: ledger, now: now)
        var counts: [FindingKind: (Int, Severity)] = [:]
        for f in findings {
            let c = counts[f.kind]
            counts[f.kind] = ((c?.0 ?? 0) + 1, max(c?.1 ?? f.severity, f.severity))
        }
        byKind = FindingKind.allCases.map { ($0, (counts[$0]?.0 ?? 0) + (suppressed[$0] ?? 0), counts[$0]?.1) }
        ages = FindingsState.ageHistogram(ledger: ledger, at: now)
        computedAt = now
        dirty = false
        // The selection stays on the same finding when the list moves under it.
        if let was, let i = shown.firstIndex(where: {
            $0.kind == was.kind && $0.tenant == was.tenant && $0.tokens.first == was.tokens.first
                && $0.firstSeen == was.firstSeen
        }) {
            scrollTop = max(0, scrollTop + i - cursor)
            cursor = i
        }
        cursor = max(0, min(cursor, shown.count - 1))
        return true
    }

    /// Sets the view's filter and order and lists again, the cursor on the first match.
    public mutating func narrow(_ filter: Filter? = nil, byTime: Bool? = nil, ledger: Ledger, now: Instant) {
        if let filter { self.filter = filter }
        if let byTime { self.byTime = byTime }
        shown = narrowed(ledger: ledger, now: now)
        cursor = 0
        scrollTop = 0
    }

    /// `findings` through the filter, newest first when `byTime` (they are most severe first as reported).
    func narrowed(ledger: Ledger, now: Instant) -> [Finding] {
        var out = findings
        if !filter.isEmpty {
            let m = FindingMatcher(filter, ledger: ledger, now: now, findings: findings)
            out = out.filter(m.matches)
        }
        if byTime {
            out.sort { a, b in a.lastSeen != b.lastSeen ? a.lastSeen > b.lastSeen : Finding.reportOrder(a, b) }
        }
        return out
    }

    /// Counts live tokens by age at `now`: in progress, stuck, or completed and not expired.
    static func ageHistogram(ledger: Ledger, at now: Instant) -> [Int] {
        let bounds = ageBuckets.map { $0.1 }
        var out = Array(repeating: 0, count: bounds.count + 1)
        for r in ledger.records {
            switch r.status(at: now) {
            case .inProgress, .stuck, .completed:
                let age = now - r.createdAt
                out[bounds.firstIndex { age < $0 } ?? bounds.count] += 1
            case .failed, .expired, .purged:
                continue
            }
        }
        return out
    }

    /// The finding the selection is on.
    public var selected: Finding? { shown.indices.contains(cursor) ? shown[cursor] : nil }
}

extension Role {
    /// The role a severity is drawn with; the severity's name is always written too, never colour alone.
    public init(_ severity: Severity) {
        switch severity {
        case .critical: self = .error
        case .high: self = .mismatch
        case .medium: self = .stuck
        case .low: self = .dim
        }
    }
}
