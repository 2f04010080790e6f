import Foundation
import IdemCore

/// What Powertools would do with the next request carrying a payload: the key and validation hashes it computes
/// (MD5 of `json.dumps(subset, sort_keys=True)`), and the decision its DynamoDB layer makes against the record.
public struct PayloadCheck: Sendable {
    public enum Verdict: String, Sendable {
        /// No record, or an expired one, or an INPROGRESS one past its in-progress deadline: the handler runs.
        case executed
        /// A COMPLETED record: the stored response is returned, the handler does not run.
        case replayed
        /// The record's validation hash differs: `IdempotencyValidationError`.
        case mismatch
        /// An INPROGRESS record within its deadline: `IdempotencyAlreadyInProgressError`.
        case conflict
        /// The key expression selects nothing: Powertools skips idempotency and runs the handler every time.
        case noKey = "no_key"
    }

    /// The hash after `#` in the idempotency key (hex, as Powertools for Python, Java and .NET write it).
    public var keyHash: String
    /// The same digest in base64, as Powertools for TypeScript writes it.
    public var keyHashBase64: String
    /// The validation hash, when a validation expression was given.
    public var validationHash: String?
    /// The JSON text that was hashed.
    public var keyText: String
    public var missingKey: Bool

    /// Computes the hashes for `payload` (JSON text) with `keyPath` (empty: the whole event) and `validationPath`.
    public init(payload: String, keyPath: String?, validationPath: String?) throws {
        let event = try PythonJSON.parse(payload)
        let subset = try keyPath.flatMap { $0.isEmpty ? nil : $0 }.map { try JMESPathLite.compile($0).search(event) } ?? event
        keyText = subset.dumps()
        missingKey = subset.isMissingKey
        let digest = MD5.digest(Array(keyText.utf8))
        keyHash = Hex.encode(digest)
        keyHashBase64 = Hex.base64(digest)
        validationHash = try validationPath.flatMap { $0.isEmpty ? nil : $0 }.map {
            MD5.hex(Array(try JMESPathLite.compile($0).search(event).dumps().utf8))
        }
    }

    /// Whether a stored key hash is this payload's (hex or base64).
    public func matches(token: String) -> Bool { token == keyHash || token == keyHashBase64 }

    /// The decision against the record as it is at `now` (nil: no record), and why, in one line.
    public func verdict(record: PowertoolsRecord?, at now: Instant) -> (Verdict, String) {
        verdict(record: record.map { Checked(status: $0.status(at: now), stored: $0.stored, validation: $0.validation,
                                             expiresAt: $0.expiresAt, lockedUntil: $0.lockedUntil) })
    }

    /// What the decision reads of a record, whichever store holds it (DynamoDB, Redis): its status at the instant
    /// asked about, by the store's own rules.
    public struct Checked: Sendable {
        public var status: TokenStatus
        public var stored: StoredStatus
        public var validation: String?
        public var expiresAt: Instant
        public var lockedUntil: Instant

        public init(status: TokenStatus, stored: StoredStatus, validation: String?, expiresAt: Instant,
                    lockedUntil: Instant) {
            self.status = status
            self.stored = stored
            self.validation = validation
            self.expiresAt = expiresAt
            self.lockedUntil = lockedUntil
        }
    }

    /// The decision against a record (nil: no record), and why, in one line.
    public func verdict(record: Checked?) -> (Verdict, String) {
        if missingKey { return (.noKey, "the key expression selects nothing: Powertools skips idempotency") }
        guard let r = record else { return (.executed, "no record: the handler runs and a record is written") }
        switch r.status {
        case .expired:
            return (.executed, "the record expired at \(r.expiresAt.rfc3339): the handler runs again")
        case .stuck:
            return (.executed, "the record is INPROGRESS past its in-progress deadline: the request takes it over and runs")
        default: break
        }
        if let mine = validationHash, mine != r.validation {
            return (.mismatch, "validation hash \(mine) differs from the stored \(r.validation ?? "(none)"): "
                        + "IdempotencyValidationError")
        }
        if r.stored == .inProgress {
            return (.conflict, "another execution is in progress until \(r.lockedUntil.rfc3339): "
                        + "IdempotencyAlreadyInProgressError")
        }
        return (.replayed, "a completed record: the stored response is returned")
    }
}
