import Foundation
import IdemCore

/// One record's fields as the headless commands print them: JSON objects with stable snake_case keys, table cells.
struct RecordFields {
    let ledger: Ledger
    let now: Instant

    /// The JSON object for a record (list items, and the head of `show`).
    func json(_ r: TokenRecord) -> [String: Any] {
        [
            "tenant": ledger.tenant(of: r),
            "token": r.token,
            "operation": ledger.operation(of: r),
            "status": r.status(at: now).rawValue,
            "stored_status": r.stored.rawValue,
            "created_at": r.createdAt.rfc3339,
            "updated_at": r.updatedAt.rfc3339,
            "expires_at": r.expiresAt.rfc3339,
            "expires_in_s": Double(r.expiresIn(at: now).ms) / 1000,
            "locked_until": r.lockedUntil.rfc3339,
            "last_seen": r.lastSeen.rfc3339,
            "hits": Int(r.hits),
            "mismatches": Int(r.mismatches),
            "conflicts": Int(r.conflicts),
            "reexecutions": Int(r.reexecutions),
            "executions": Int(r.executions),
            "version": Int(r.version),
            "fingerprint": r.fingerprint.description,
            "response_status": r.responseStatus == 0 ? NSNull() : Int(r.responseStatus) as Any,
        ]
    }

    static let tableHeader = ["STATUS", "TENANT", "TOKEN", "OPERATION", "AGE", "EXPIRES IN", "HITS", "MISM", "CONFL",
                              "LAST SEEN", "RESP"]
    static let csvHeader = ["status", "tenant", "token", "operation", "created_at", "updated_at", "expires_at",
                            "expires_in_s", "last_seen", "hits", "mismatches", "conflicts", "fingerprint",
                            "response_status"]

    /// The cells of the table view (text from the store made visible).
    func cells(_ r: TokenRecord) -> [String] {
        let status = r.status(at: now)
        return [
            status.rawValue,
            Sanitizer.visible(ledger.tenant(of: r)),
            Sanitizer.visible(r.token),
            Sanitizer.visible(ledger.operation(of: r)),
            (now - r.createdAt).compact,
            RecordFields.expiry(r, status: status, now: now),
            String(r.hits), String(r.mismatches), String(r.conflicts),
            (now - r.lastSeen).compact + " ago",
            r.responseStatus == 0 ? "-" : String(r.responseStatus),
        ]
    }

    func csv(_ r: TokenRecord) -> [String] {
        [r.status(at: now).rawValue, ledger.tenant(of: r), r.token, ledger.operation(of: r), r.createdAt.rfc3339,
         r.updatedAt.rfc3339, r.expiresAt.rfc3339, String(Double(r.expiresIn(at: now).ms) / 1000), r.lastSeen.rfc3339,
         String(r.hits), String(r.mismatches), String(r.conflicts), r.fingerprint.description,
         r.responseStatus == 0 ? "" : String(r.responseStatus)]
    }

    /// "23h59m", "expired 3m ago", "stuck 2m", "purged".
    static func expiry(_ r: TokenRecord, status: TokenStatus, now: Instant) -> String {
        switch status {
        case .purged: return "purged"
        case .expired: return "expired \((now - r.expiresAt).compact) ago"
        case .stuck: return "stuck \((now - r.lockedUntil).compact)"
        default: return r.expiresIn(at: now).compact
        }
    }
}

/// JSON text for the headless commands: sorted keys, so output is stable across runs.
enum JSONText {
    static func encode(_ value: Any, pretty: Bool = false) -> String {
        var options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]
        if pretty { options.insert(.prettyPrinted) }
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: options) else { return "null" }
        // JSONSerialization writes DEL, C1 controls, bidi overrides and U+2028 raw: escape them as \uXXXX.
        return Sanitizer.jsonSafe(String(decoding: data, as: UTF8.self))
    }
}
