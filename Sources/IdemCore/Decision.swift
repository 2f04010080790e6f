/// The seed's server-side rules: what a request carrying a token gets, given what the store holds for it.
///
/// Pure, so every store (journal, SQLite, later others) applies the same rules inside its own atomic section.
public enum Decision {
    /// The outcome for a request with `operation` and `fingerprint` against `existing` at `now`.
    ///
    /// - No record, a purged one, or a failed one: `executed` (a failed attempt may be retried, as Powertools does
    ///   by deleting the record when the handler raises).
    /// - Expired (`now >= expiresAt`): `reexecuted`; the work runs again.
    /// - Another operation or fingerprint: `mismatch` (422), checked before the in-progress lock, as Powertools
    ///   validates the payload before looking at the status.
    /// - In progress, stuck or not: `conflict` (409). A stuck token stays locked until it expires or is purged;
    ///   taking it over silently could run a charge twice.
    /// - Completed: `replayed`, from the stored response.
    public static func outcome(existing: TokenRecord?, operation: String, existingOperation: String?,
                               fingerprint: Fingerprint, at now: Instant) -> Outcome {
        guard let r = existing else { return .executed }
        switch r.stored {
        case .purged, .failed: return .executed
        case .inProgress, .completed: break
        }
        if now >= r.expiresAt { return .reexecuted }
        if existingOperation != operation || r.fingerprint != fingerprint { return .mismatch }
        if r.stored == .inProgress { return .conflict }
        return .replayed
    }

    /// The request event a writer appends for a decided outcome.
    public static func event(for outcome: Outcome, tenant: String, token: String, operation: String,
                             fingerprint: Fingerprint, request: StoredRequest?, existing: TokenRecord?,
                             policy: Policy, at now: Instant) -> StoreEvent {
        var e = StoreEvent(kind: .request, at: now, tenant: tenant, token: token, operation: operation,
                           fingerprint: fingerprint, outcome: outcome)
        if outcome.executes {
            e.expiresAt = now + policy.retention
            e.lockedUntil = now + policy.lockTimeout
            e.request = request
        } else if outcome == .mismatch {
            e.storedFingerprint = existing?.fingerprint
        }
        return e
    }
}

/// What `begin` tells the service.
public enum BeginResult: Sendable, Hashable {
    /// Run the work, then call `complete` or `fail` with this ticket. `reexecuted` is true when an expired token ran again.
    case execute(Ticket, reexecuted: Bool)
    /// A duplicate: answer with the stored response (nil when the stored attempt has no response body to give).
    case replay(StoredResponse?)
    /// Still in progress elsewhere: answer 409.
    case conflict
    /// The token was first used with another operation or payload: answer 422.
    case mismatch(storedOperation: String, storedFingerprint: Fingerprint)

    /// What `begin` answers for a decided `outcome`: every store maps its decision the same way.
    ///
    /// - Parameters:
    ///   - existing: the record as it was before this request (its execution count numbers the new ticket).
    ///   - storedResponse: the stored response, for a replay (the store reads it only when it is needed).
    public init(_ outcome: Outcome, key: TokenKey, existing: TokenRecord?, existingOperation: String?,
                storedResponse: StoredResponse?) {
        switch outcome {
        case .executed, .reexecuted:
            self = .execute(Ticket(key: key, execution: (existing?.executions ?? 0) + 1),
                            reexecuted: outcome == .reexecuted)
        case .replayed:
            self = .replay(storedResponse)
        case .conflict:
            self = .conflict
        case .mismatch:
            self = .mismatch(storedOperation: existingOperation ?? "", storedFingerprint: existing?.fingerprint ?? .none)
        }
    }

    public var outcome: Outcome {
        switch self {
        case .execute(_, let re): return re ? .reexecuted : .executed
        case .replay: return .replayed
        case .conflict: return .conflict
        case .mismatch: return .mismatch
        }
    }
}

/// Names one execution of a token, so its completion cannot land on a later execution after a purge.
public struct Ticket: Sendable, Hashable {
    public var key: TokenKey
    /// The record's `executions` count when this execution began.
    public var execution: Int32
    public init(key: TokenKey, execution: Int32) {
        self.key = key
        self.execution = execution
    }
}
