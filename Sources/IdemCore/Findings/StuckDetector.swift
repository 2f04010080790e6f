/// Finds the tokens stuck at `now`: read from the ledger's records when a report is due, not from the events.
struct StuckDetector: Detector {
    let config: DetectorConfig

    init(config: DetectorConfig) { self.config = config }

    /// Nothing: whether a token is stuck depends on `now`, so the ledger is read at report time.
    func observe(_ e: StoreEvent) {}

    func report(at now: Instant, ledger: Ledger, into out: inout [Finding]) -> [FindingKind: Int] {
        .counted((.stuck, StuckDetector.stuck(ledger: ledger, at: now, config: config, into: &out)))
    }

    /// Every record whose status at `now` is `stuck`: in progress past its lock deadline and not yet expired; past
    /// `config.maxFindingsPerKind` of them, only the most overdue are listed. Returns how many were left out.
    ///
    /// Medium when past the deadline by less than `stuckHighAfter`, high from then on. `firstSeen` is when the
    /// execution began, `lastSeen` is `now` (it is still stuck then).
    @discardableResult
    static func stuck(ledger: Ledger, at now: Instant, config: DetectorConfig, into out: inout [Finding]) -> Int {
        var stuck: [Int] = []
        for (i, r) in ledger.records.enumerated() where r.stored == .inProgress && r.status(at: now) == .stuck {
            stuck.append(i)
        }
        let cap = max(0, config.maxFindingsPerKind)
        var dropped = 0
        if stuck.count > cap {
            // A crashed fleet can leave 10^5 stuck tokens: sort their deadlines (read once each, then plain integer
            // pairs), keep the most overdue.
            var keyed = ledger.records.withUnsafeBufferPointer { recs in stuck.map { (recs[$0].lockedUntil.ms, $0) } }
            keyed.sort { $0 < $1 }
            dropped = stuck.count - cap
            stuck = keyed.prefix(cap).map(\.1)
        }
        for i in stuck {
            let r = ledger.records[i]
            let overdue = now - r.lockedUntil
            let operation = ledger.operation(of: r)
            let evidence = "in progress since \(r.createdAt.rfc3339), stuck for \(overdue.compact) (deadline "
                + "\(r.lockedUntil.rfc3339)); retries get 409 until it expires at \(r.expiresAt.rfc3339) or is purged, "
                + "and nobody knows whether the work ran"
            out.append(Finding(kind: .stuck, severity: overdue >= config.stuckHighAfter ? .high : .medium,
                               tenant: ledger.tenant(of: r), tokens: [r.token], firstSeen: r.createdAt, lastSeen: now,
                               evidence: evidence, operation: operation.isEmpty ? nil : operation,
                               count: 1))
        }
        return dropped
    }
}
