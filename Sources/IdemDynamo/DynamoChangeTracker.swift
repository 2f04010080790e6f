import IdemCore

/// Turns what successive scans of a Powertools table show into the core's events, so the same `Ledger` folds
/// DynamoDB as it folds a journal.
///
/// DynamoDB keeps only each record's current state, so events are inferred from how a record changed between two
/// looks:
///
/// | seen                                                   | events                                              |
/// |--------------------------------------------------------|-----------------------------------------------------|
/// | a new record, INPROGRESS                               | request `executed`                                  |
/// | a new record, COMPLETED                                | request `executed`, `completed` (with `data`)       |
/// | INPROGRESS -> COMPLETED, same in-progress deadline     | `completed`                                         |
/// | a new lifetime: expiration moved on from a COMPLETED   | request `reexecuted` (+ `completed` if COMPLETED)   |
/// | record, or a new in-progress deadline (a takeover)     |                                                     |
/// | gone while INPROGRESS and not expired                  | `failed` (Powertools deletes the record when the    |
/// |                                                        | handler raises)                                     |
/// | gone while COMPLETED and not expired                   | `purge` by `(outside idemtop)`                      |
/// | gone after it expired (TTL)                            | no event; a notice. If it comes back: `reexecuted`  |
///
/// Records seen by the first scan are dated when Powertools wrote them, estimated as `expiration - expires_after`
/// (never later than the scan); later changes are dated when a scan saw them.
public struct DynamoChangeTracker: Sendable {
    public private(set) var known: [String: PowertoolsRecord] = [:]
    /// Records that expired and then vanished (deleted by TTL): if one comes back, it ran again.
    private var expiredGone: Set<String> = []
    private var seq: Int64 = 0
    public let expiresAfter: TimeSpan

    public init(expiresAfter: TimeSpan = .seconds(3600)) { self.expiresAfter = expiresAfter }

    /// The events for one record as a scan at `now` shows it.
    public mutating func observe(_ r: PowertoolsRecord, at now: Instant, firstPass: Bool) -> [StoreEvent] {
        defer { known[r.id] = r }
        guard let old = known[r.id] else {
            let at: Instant
            if firstPass, let expiration = r.expiration {
                at = min(now, Instant(ms: expiration * 1000) - expiresAfter)
            } else {
                at = now
            }
            let outcome: Outcome = expiredGone.remove(r.id) != nil ? .reexecuted : .executed
            var out = [request(r, outcome, at: at)]
            if r.stored == .completed { out.append(completed(r, at: at)) }
            return out
        }
        guard old.state != r.state else { return [] }
        let newDeadline = r.inProgressExpiration != nil && r.inProgressExpiration != old.inProgressExpiration
        let newLifetime = newDeadline
            || (old.stored == .completed && (r.stored == .inProgress || r.expiration != old.expiration))
            || (old.stored == .inProgress && r.stored == .inProgress && r.expiration != old.expiration)
        var out: [StoreEvent] = []
        if newLifetime { out.append(request(r, .reexecuted, at: now)) }
        if r.stored == .completed, newLifetime || old.stored != .completed || old.data != r.data {
            out.append(completed(r, at: now))
        }
        return out
    }

    /// The events for records a whole scan at `now` did not see, and a notice line when any vanished.
    public mutating func vanished(keeping seen: Set<String>, at now: Instant) -> (events: [StoreEvent], notice: String?) {
        removed(known.keys.filter { !seen.contains($0) }.sorted(), at: now)
    }

    /// The events for records known to be gone (a stream's REMOVE), and a notice line.
    public mutating func removed(_ gone: [String], at now: Instant) -> (events: [StoreEvent], notice: String?) {
        guard !gone.isEmpty else { return ([], nil) }
        var events: [StoreEvent] = []
        var expired = 0, failed = 0, deleted = 0
        for id in gone {
            guard let old = known.removeValue(forKey: id) else { continue }
            let status = old.status(at: now)
            if status == .expired {
                expiredGone.insert(id)
                expired += 1
                continue
            }
            seq += 1
            if old.stored == .inProgress {
                failed += 1
                events.append(StoreEvent(seq: seq, kind: .failed, at: now, tenant: old.tenant, token: old.token,
                                         error: "record deleted while \(status.rawValue): the handler raised "
                                            + "(Powertools deletes the record) or someone deleted it"))
            } else {
                deleted += 1
                events.append(StoreEvent(seq: seq, kind: .purge, at: now, tenant: old.tenant, token: old.token,
                                         actor: "(outside idemtop)", reason: "item deleted from the table",
                                         sawStatus: status))
            }
        }
        guard expired + failed + deleted > 0 else { return ([], nil) }
        var parts: [String] = []
        if expired > 0 { parts.append("\(expired) expired (removed by TTL)") }
        if failed > 0 { parts.append("\(failed) in progress (handler failed, shown as failed)") }
        if deleted > 0 { parts.append("\(deleted) completed and unexpired (shown as purged)") }
        return (events, "\(expired + failed + deleted) record(s) vanished from the table: " + parts.joined(separator: ", "))
    }

    /// Forgets a record (after idemtop itself purged it, so the next scan does not report it as vanished).
    public mutating func forget(_ id: String) { known.removeValue(forKey: id) }

    private mutating func request(_ r: PowertoolsRecord, _ outcome: Outcome, at: Instant) -> StoreEvent {
        seq += 1
        return StoreEvent(seq: seq, kind: .request, at: at, tenant: r.tenant, token: r.token, operation: r.operation,
                          fingerprint: r.validation.map(Fingerprint.init), outcome: outcome, expiresAt: r.expiresAt,
                          lockedUntil: r.lockedUntil)
    }

    private mutating func completed(_ r: PowertoolsRecord, at: Instant) -> StoreEvent {
        seq += 1
        let response = r.response
        return StoreEvent(seq: seq, kind: .completed, at: at, tenant: r.tenant, token: r.token,
                          expiresAt: r.expiresAt, responseStatus: response?.status, response: response)
    }
}
