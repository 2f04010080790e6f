import IdemCore

/// What only Redis records reveal, found by the reader and reported as notices (and kept for `RedisReader.findings`):
///
/// - `completedWithoutValidation`: a COMPLETED Powertools record without its validation hash while the service
///   validates payloads (`validation=1`, or the same key seen INPROGRESS with a hash). Powertools Python 3.37.0's
///   `_update_record` writes only data, status and expiration, so every retry, identical or not, raises
///   IdempotencyValidationError until the record expires (TypeScript's `_updateRecord` drops it the same way).
/// - `inProgressWithoutDeadline`: INPROGRESS without `in_progress_expiration` (no Lambda context was registered).
///   Python 3.37.0 keeps it locked until the key's TTL (hours of IdempotencyAlreadyInProgressError after a crash);
///   TypeScript takes it over at once, so two concurrent requests can both run.
/// - `orphanTakeover`: a `{key}:lock` key, which Powertools writes only when it overwrites an orphan: evidence
///   that the first execution died mid-flight and a retry ran the work again.
public struct RedisFinding: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable {
        case completedWithoutValidation = "completed_without_validation"
        case inProgressWithoutDeadline = "in_progress_without_deadline"
        case orphanTakeover = "orphan_takeover"

        /// One line for a count of them.
        func line(_ n: Int, example: String, profile: RedisProfile) -> String {
            let e = " (e.g. \(Sanitizer.visible(example)))"
            switch self {
            case .completedWithoutValidation:
                return "\(n) COMPLETED record(s) without their validation hash while payloads are validated: every "
                    + "retry raises IdempotencyValidationError until expiry (Powertools drops the hash on completion)" + e
            case .inProgressWithoutDeadline:
                let effect = profile.library == .powertoolsTS
                    ? "Powertools TypeScript treats them as orphans at once: a concurrent retry runs the work again"
                    : "Powertools Python keeps them locked until the key's TTL: retries fail until then"
                return "\(n) INPROGRESS record(s) without in_progress_expiration (no Lambda context): \(effect)" + e
            case .orphanTakeover:
                return "\(n) orphan takeover lock(s) ({key}:lock): a first execution died mid-flight and a retry ran "
                    + "the work again" + e
            }
        }
    }

    public var kind: Kind
    /// The record's Redis key.
    public var key: String

    /// The findings for the records and lock keys one pass saw.
    static func find(_ records: RedisChangeTracker.Known, locks: Set<String>, hashSeen: Set<String>,
                     profile: RedisProfile) -> [RedisFinding] {
        guard profile.isPowertoolsLayout else { return [] }
        var out: [RedisFinding] = []
        // Only the records that may show a finding have their key's text made: a completed one without a hash
        // only when validation is configured or some key was seen in progress with a hash.
        let completedMay = profile.validationConfigured ?? !hashSeen.isEmpty
        records.forEach(where: { r in
            (completedMay && r.stored == .completed && !r.hasFingerprint)
                || (r.stored == .inProgress && r.inProgressExpiration == nil)
        }) { key, r in
            if r.stored == .completed, !r.hasFingerprint,
               profile.validationConfigured ?? hashSeen.contains(key) {
                out.append(RedisFinding(kind: .completedWithoutValidation, key: key))
            }
            if r.stored == .inProgress, r.inProgressExpiration == nil {
                out.append(RedisFinding(kind: .inProgressWithoutDeadline, key: key))
            }
        }
        out += locks.map { RedisFinding(kind: .orphanTakeover, key: $0) }
        return out.sorted { ($0.kind.rawValue, $0.key) < ($1.kind.rawValue, $1.key) }
    }

    /// One notice line per kind present.
    static func notices(_ findings: [RedisFinding], profile: RedisProfile) -> [String] {
        Kind.allCases.compactMap { kind in
            let mine = findings.filter { $0.kind == kind }
            guard let first = mine.first else { return nil }
            return kind.line(mine.count, example: first.key, profile: profile)
        }
    }
}

extension RedisFinding {
    /// This finding as the core reports it (the findings view, `idemtop audit`): the record's tenant, token and
    /// operation split from its key, a severity (a takeover ran the work twice: high; a TypeScript record without a
    /// deadline is taken over at once: high; the rest medium), and the evidence in one line naming the key.
    func core(state: RedisKeyState?, firstSeen: Instant, lastSeen: Instant, profile: RedisProfile) -> Finding {
        let (tenant, operation, token) = RedisRecord.splitPowertools(key)
        let expiry = state.map { " at \($0.expiresAt.rfc3339)" } ?? ""
        let severity: Severity
        let evidence: String
        switch kind {
        case .completedWithoutValidation:
            severity = .medium
            evidence = "key \(key) is COMPLETED without its validation hash while payloads are validated: every "
                + "retry, identical or not, raises IdempotencyValidationError until it expires\(expiry) "
                + "(Powertools drops the hash when it completes a record)"
        case .inProgressWithoutDeadline:
            if profile.library == .powertoolsTS {
                severity = .high
                evidence = "key \(key) is INPROGRESS without in_progress_expiration (no Lambda context): Powertools "
                    + "TypeScript treats it as an orphan at once, so a concurrent retry runs the work again"
            } else {
                severity = .medium
                evidence = "key \(key) is INPROGRESS without in_progress_expiration (no Lambda context): Powertools "
                    + "Python keeps it locked until it expires\(expiry); after a crash every retry fails until then"
            }
        case .orphanTakeover:
            severity = .high
            evidence = "key \(key):lock exists: Powertools took an orphaned INPROGRESS record over, so the first "
                + "execution died mid-flight and a retry ran the work again"
        }
        // The tracker keeps no tenant or token: the key gives them, as it does the record's events
        // (`RedisRecord.tokenKey(ofKey:)` splits a Powertools key this way).
        return Finding(kind: kind.findingKind, severity: severity, tenant: tenant, tokens: [token], firstSeen: firstSeen, lastSeen: lastSeen, evidence: evidence,
                       operation: operation.isEmpty ? nil : operation)
    }
}

extension RedisFinding.Kind {
    /// The core's kind for it.
    var findingKind: FindingKind {
        switch self {
        case .completedWithoutValidation: return .validationHashDropped
        case .inProgressWithoutDeadline: return .inProgressNoDeadline
        case .orphanTakeover: return .orphanTakeover
        }
    }
}
