/// The findings read from the ledger's records at a given `now`: stuck tokens.
enum LedgerFindings {
    /// Every record whose status at `now` is `stuck`: in progress past its lock deadline and not yet expired.
    ///
    /// Medium when past the deadline by less than `stuckHighAfter`, high from then on. `firstSeen` is when the
    /// execution began, `lastSeen` is `now` (it is still stuck then).
    static func stuck(ledger: Ledger, at now: Instant, config: DetectorConfig, into out: inout [Finding]) {
        for r in ledger.records where r.stored == .inProgress && r.status(at: now) == .stuck {
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
    }
}
