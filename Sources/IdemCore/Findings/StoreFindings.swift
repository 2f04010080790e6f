/// Findings a store's reader made from what only its records show (a Redis value without its validation hash, an
/// orphan-takeover lock key): things its events cannot carry. The reader hands over its whole current list, per
/// store, and the detectors report them with their own (`FindingsDetector.supply`), capped like every kind.
///
/// The core never knows which store found what: a reader builds complete `Finding`s (kind, severity, tokens,
/// evidence) and the report only orders, filters and counts them.
struct StoreFindings: Detector {
    let config: DetectorConfig
    /// The latest list of each store, by store number.
    private(set) var byStore: [UInt8: [Finding]] = [:]

    init(config: DetectorConfig) { self.config = config }

    /// Nothing: a store's findings come whole from its reader (`supply`).
    func observe(_ e: StoreEvent) {}

    /// Replaces what `store` found.
    mutating func supply(_ findings: [Finding], store: UInt8) {
        byStore[store] = findings.map { f in
            var f = f
            if store != 0 { f.stores = Array(repeating: store, count: f.tokens.count) }
            return f
        }
    }

    func report(at now: Instant, ledger: Ledger, into out: inout [Finding]) -> [FindingKind: Int] {
        var kept: [FindingKind: Int] = [:]
        var dropped: [FindingKind: Int] = [:]
        let cap = max(0, config.maxFindingsPerKind)
        for store in byStore.keys.sorted() {
            for f in byStore[store] ?? [] {
                if kept[f.kind, default: 0] >= cap {
                    dropped[f.kind, default: 0] += 1
                    continue
                }
                kept[f.kind, default: 0] += 1
                out.append(f)
            }
        }
        return dropped
    }
}

extension FindingsDetector {
    /// Takes the findings a store's reader made (its whole current list: the last list of that store is
    /// replaced), reported with the detectors' own from then on.
    public mutating func supply(_ findings: [Finding], store: UInt8 = 0) {
        for i in detectors.indices {
            guard var d = detectors[i] as? StoreFindings else { continue }
            d.supply(findings, store: store)
            detectors[i] = d
        }
    }

    /// What the stores supplied so far, as supplied (for tests and the findings view's counts).
    public var supplied: [Finding] {
        guard let d = detector(StoreFindings.self) else { return [] }
        return d.byStore.keys.sorted().flatMap { d.byStore[$0] ?? [] }
    }
}
