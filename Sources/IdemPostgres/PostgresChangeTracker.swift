import IdemCore

/// Turns what successive reads of an idempotency-keys table show into the core's events, as
/// `DynamoChangeTracker` does for DynamoDB: the table keeps each key's current row only, so events are inferred
/// from how a row changed (its `xmin`) between two looks.
///
/// | seen                                                     | events                                           |
/// |----------------------------------------------------------|--------------------------------------------------|
/// | a new row                                                | request `executed` (dated `created`), then       |
/// |                                                          | `completed` or `failed` when it is already so    |
/// | a row that vanished after it expired and came back       | request `reexecuted`                             |
/// | a new `created` on a known row (re-set after expiry)     | request `reexecuted`                             |
/// | in progress -> completed / failed                        | `completed` / `failed`                           |
/// | a new lock on a row that was failed, or a new lock time  | request `executed` (a retry took the key)        |
/// | gone while not expired                                   | `purge` by `(outside idemtop)`, or `failed` when |
/// |                                                          | in progress                                      |
/// | gone after it expired (a reaper)                         | no event; a notice                               |
///
/// It also remembers, per token, how many events it emitted (the ledger's version of the record) and the row's
/// `xmin` then: the purge's compare-and-set deletes the row only while it still has the version the operator saw.
public struct PostgresChangeTracker: Sendable {
    /// What the tracker keeps of one row.
    public struct Seen: Sendable, Hashable {
        /// The row's primary key values (`PostgresRow.rowID`).
        public var rowID: String
        public var createdMs: Int64
        /// `Int64.min` for no lock (not an optional: 8 bytes, not 16, at a million rows).
        var lockedRaw: Int64
        var expiresMs: Int64
        /// The row version: `xmin` is a 32-bit transaction id.
        var xmin32: UInt32
        /// Events emitted for the token so far: the ledger's `version` of its record.
        public var version: Int32
        public var stored: StoredStatus

        public var xmin: Int64 { Int64(xmin32) }
        public var lockedMs: Int64? { lockedRaw == .min ? nil : lockedRaw }
        public var expiresAt: Instant { Instant(ms: expiresMs) }
    }

    /// By token (the row id rides in the value).
    public private(set) var known = PostgresSeenTable()
    private var expiredGone: Set<TokenKey> = []
    private var seq: Int64 = 0

    public init() {}

    /// The events for one row as a read at `now` shows it.
    public mutating func observe(_ r: PostgresRow, at now: Instant, firstPass: Bool) -> [StoreEvent] {
        var out: [StoreEvent] = []
        observe(r, at: now, firstPass: firstPass, into: &out)
        return out
    }

    /// The same, appending to `out` (no array a row on the first read's hot path).
    public mutating func observe(_ r: PostgresRow, at now: Instant, firstPass: Bool, into out: inout [StoreEvent]) {
        let before = out.count
        let created = min(now, Instant(ms: r.createdMs))
        let handle = known.handle(r.key)
        let old = known.seen(handle)
        if let old {
            guard old.xmin != r.xmin else { return }
            if r.createdMs != old.createdMs {
                out.append(request(r, .reexecuted, at: created))
                finished(r, at: now, into: &out)
            } else {
                let relocked = r.stored == .inProgress
                    && (old.stored != .inProgress || (r.lockedMs != nil && r.lockedMs != old.lockedMs))
                if relocked { out.append(request(r, .executed, at: r.lockedMs.map { min(now, Instant(ms: $0)) } ?? now)) }
                if r.stored != old.stored || relocked { finished(r, at: now, into: &out) }
            }
        } else {
            let outcome: Outcome = !expiredGone.isEmpty && expiredGone.remove(r.key) != nil ? .reexecuted : .executed
            out.append(request(r, outcome, at: created))
            let end = r.finishedMs.map { min(now, Instant(ms: $0)) }
            finished(r, at: firstPass ? max(created, end ?? created) : now, into: &out)
        }
        let version = (old?.version ?? 0) + Int32(out.count - before)
        known.set(handle, r.key, Seen(rowID: r.rowID, createdMs: r.createdMs, lockedRaw: r.lockedMs ?? .min,
                            expiresMs: r.expiresAt.ms, xmin32: UInt32(truncatingIfNeeded: r.xmin), version: version,
                            stored: r.stored))
    }

    /// Room for `n` rows (the table's estimated size) before the first read.
    public mutating func reserve(_ n: Int) { known.reserve(n) }

    /// The events for rows that are no longer in the table (ids not in `present`), and a notice line.
    public mutating func vanished(keeping present: Set<String>, at now: Instant) -> (events: [StoreEvent], notice: String?) {
        let gone = known.keys { !present.contains($0.rowID) }.sorted()
        guard !gone.isEmpty else { return ([], nil) }
        var events: [StoreEvent] = []
        var expired = 0, failed = 0, deleted = 0
        for key in gone {
            guard let old = known.remove(key) else { continue }
            if now >= old.expiresAt {
                expiredGone.insert(key)
                expired += 1
                continue
            }
            seq += 1
            if old.stored == .inProgress {
                failed += 1
                events.append(StoreEvent(seq: seq, kind: .failed, at: now, tenant: key.tenant, token: key.token,
                                         error: "row deleted while in progress"))
            } else {
                deleted += 1
                events.append(StoreEvent(seq: seq, kind: .purge, at: now, tenant: key.tenant, token: key.token,
                                         actor: "(outside idemtop)", reason: "row deleted from the table",
                                         sawStatus: old.stored == .failed ? .failed : .completed))
            }
        }
        guard expired + failed + deleted > 0 else { return ([], nil) }
        var parts: [String] = []
        if expired > 0 { parts.append("\(expired) expired (reaped)") }
        if failed > 0 { parts.append("\(failed) in progress (shown as failed)") }
        if deleted > 0 { parts.append("\(deleted) unexpired (shown as purged)") }
        return (events, "\(expired + failed + deleted) row(s) vanished from the table: " + parts.joined(separator: ", "))
    }

    /// Forgets a row idemtop itself purged, so the next look does not report it as vanished.
    public mutating func forget(_ key: TokenKey) { known.remove(key) }

    private mutating func request(_ r: PostgresRow, _ outcome: Outcome, at: Instant) -> StoreEvent {
        seq += 1
        return StoreEvent(seq: seq, kind: .request, at: at, tenant: r.key.tenant, token: r.key.token,
                          operation: r.operation, fingerprint: r.fingerprint.map(Fingerprint.init), outcome: outcome,
                          expiresAt: r.expiresAt, lockedUntil: r.lockedUntil)
    }

    /// `completed` or `failed` for a row that is so; nothing for one in progress.
    private mutating func finished(_ r: PostgresRow, at: Instant, into out: inout [StoreEvent]) {
        switch r.stored {
        case .completed:
            seq += 1
            out.append(StoreEvent(seq: seq, kind: .completed, at: at, tenant: r.key.tenant, token: r.key.token,
                               expiresAt: r.expiresAt, responseStatus: r.responseStatus))
        case .failed:
            seq += 1
            out.append(StoreEvent(seq: seq, kind: .failed, at: at, tenant: r.key.tenant, token: r.key.token,
                               error: "unlocked before finishing (recovery point \(Sanitizer.visible(r.rawStatus ?? "?"))): a retry resumes it"))
        case .inProgress, .purged:
            break
        }
    }
}
