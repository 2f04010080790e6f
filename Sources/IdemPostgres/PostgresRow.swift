import IdemCore

/// One row of an idempotency-keys table as the mapping reads it, with the status and deadlines its preset gives.
public struct PostgresRow: Sendable, Hashable {
    /// The row's primary-key values as text, joined with U+001F: what pages, purges and the tracker go by.
    public var rowID: String
    public var key: TokenKey
    public var operation: String
    public var createdMs: Int64
    public var lockedMs: Int64?
    public var expiresMs: Int64?
    public var finishedMs: Int64?
    /// The status column's text (a recovery point, a mapped value, node-idempotency's `status`).
    public var rawStatus: String?
    public var responseStatus: Int?
    public var fingerprint: String?
    /// The row version (`xmin`): any UPDATE makes a new one.
    public var xmin: Int64

    public var stored: StoredStatus
    public var expiresAt: Instant
    public var lockedUntil: Instant

    /// No expiry: the far end of the calendar, as the other stores use.
    static let never = Instant(ms: 253_402_300_799_000)

    /// Reads the row's status and deadlines by the preset's rules; throws a one-line reason for a row that fits
    /// none (an unknown status value).
    init(rowID: String, key: TokenKey, operation: String, createdMs: Int64, lockedMs: Int64?, expiresMs: Int64?,
         finishedMs: Int64?, rawStatus: String?, responseStatus: Int?, fingerprint: String?, xmin: Int64,
         preset: PostgresPreset) throws {
        self.rowID = rowID
        self.key = key
        self.operation = operation
        self.createdMs = createdMs
        self.lockedMs = lockedMs
        self.expiresMs = expiresMs
        self.finishedMs = finishedMs
        self.rawStatus = rawStatus
        self.responseStatus = responseStatus
        self.fingerprint = fingerprint
        self.xmin = xmin
        let created = Instant(ms: createdMs)
        expiresAt = expiresMs.map { Instant(ms: $0) } ?? preset.retention.map { created + $0 } ?? PostgresRow.never
        var lockStart: Int64? = lockedMs
        switch preset.status {
        case .recoveryPoint(_, let finished, let unlockedFails):
            if rawStatus == finished {
                stored = .completed
            } else if lockedMs != nil {
                stored = .inProgress
            } else if unlockedFails {
                stored = .failed
            } else {
                stored = .inProgress
                lockStart = createdMs
            }
        case .completedAt:
            stored = rawStatus == "t" ? .completed : .inProgress
            lockStart = lockedMs ?? createdMs
        case .jsonStatus:
            switch rawStatus {
            case "COMPLETE"?: stored = .completed
            case "IN_PROGRESS"?: stored = .inProgress
            default: throw PostgresError.schema("\(key): no status IN_PROGRESS or COMPLETE in its data")
            }
        case .valueMap(let column, let map):
            guard let raw = rawStatus, let s = map[raw] else {
                throw PostgresError.schema("\(key): \(column) = '\(Sanitizer.visible(rawStatus ?? "NULL"))' is not in status_map")
            }
            stored = s
            lockStart = lockedMs ?? createdMs
        }
        if let timeout = preset.lockTimeout, let start = lockStart {
            lockedUntil = Instant(ms: start) + timeout
        } else {
            lockedUntil = expiresAt
        }
    }

    /// The status shown at `now`.
    public func status(at now: Instant) -> TokenStatus {
        TokenRecord.derive(stored: stored, expiresAt: expiresAt, lockedUntil: lockedUntil, at: now)
    }

    /// node-idempotency's key, `PREFIX:METHOD:PATH:KEY`, as operation (`METHOD PATH`) and token (`KEY`).
    static func splitNodeKey(_ text: String) -> (operation: String, token: String) {
        let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let last = parts[2].lastIndex(of: ":") else { return ("", text) }
        let path = parts[2][..<last], token = parts[2][parts[2].index(after: last)...]
        return ("\(parts[1]) \(path)", String(token))
    }
}
