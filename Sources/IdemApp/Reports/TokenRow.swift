import Foundation
import IdemCore
import IdemUI

/// One token as the headless commands print it: a JSON object with stable snake_case keys (list items, the head of
/// `show`), a table row with the dashboard's words, a CSV row.
public struct TokenRow: Encodable, Sendable {
    /// The store's name, with several stores open (left out with one).
    public var store: String?
    public var tenant: String
    public var token: String
    public var operation: String
    public var status: String
    public var storedStatus: String
    public var createdAt: String
    public var updatedAt: String
    public var expiresAt: String
    public var expiresInS: Double
    public var lockedUntil: String
    public var lastSeen: String
    public var hits: Int
    public var mismatches: Int
    public var conflicts: Int
    public var reexecutions: Int
    public var executions: Int
    public var version: Int
    public var fingerprint: String
    @Nullable public var responseStatus: Int?

    enum CodingKeys: String, CodingKey {
        case store, tenant, token, operation, status, hits, mismatches, conflicts, reexecutions, executions, version
        case fingerprint
        case storedStatus = "stored_status", createdAt = "created_at", updatedAt = "updated_at"
        case expiresAt = "expires_at", expiresInS = "expires_in_s", lockedUntil = "locked_until"
        case lastSeen = "last_seen", responseStatus = "response_status"
    }

    /// The row for `r` in `ledger`, as seen at `now`.
    public init(_ r: TokenRecord, in ledger: Ledger, at now: Instant) {
        store = ledger.isMultiStore ? ledger.storeName(of: r) : nil
        tenant = ledger.tenant(of: r)
        token = r.token
        operation = ledger.operation(of: r)
        status = r.status(at: now).rawValue
        storedStatus = r.stored.rawValue
        createdAt = r.createdAt.rfc3339
        updatedAt = r.updatedAt.rfc3339
        expiresAt = r.expiresAt.rfc3339
        expiresInS = Double(r.expiresIn(at: now).ms) / 1000
        lockedUntil = r.lockedUntil.rfc3339
        lastSeen = r.lastSeen.rfc3339
        hits = Int(r.hits)
        mismatches = Int(r.mismatches)
        conflicts = Int(r.conflicts)
        reexecutions = Int(r.reexecutions)
        executions = Int(r.executions)
        version = Int(r.version)
        fingerprint = r.fingerprint.description
        responseStatus = r.responseStatus == 0 ? nil : Int(r.responseStatus)
    }

    static let columns = ["STATUS", "TENANT", "TOKEN", "OPERATION", "AGE", "EXPIRES IN", "HITS", "MISM", "CONFL",
                          "LAST SEEN", "RESP"]
    static let csvColumns = ["status", "tenant", "token", "operation", "created_at", "updated_at", "expires_at",
                             "expires_in_s", "last_seen", "hits", "mismatches", "conflicts", "fingerprint",
                             "response_status"]

    /// The table's header for `ledger`: a STORE column first when several stores are open.
    public static func tableHeader(_ ledger: Ledger) -> [String] { (ledger.isMultiStore ? ["STORE"] : []) + columns }
    /// The columns of the table that hold numbers (right-aligned).
    public static func numericColumns(_ ledger: Ledger) -> Set<Int> {
        Set([6, 7, 8].map { $0 + (ledger.isMultiStore ? 1 : 0) })
    }
    /// The CSV header for `ledger`: a `store` column first when several stores are open.
    public static func csvHeader(_ ledger: Ledger) -> [String] { (ledger.isMultiStore ? ["store"] : []) + csvColumns }

    /// The cells of the table (text from the store made visible), in the dashboard's words.
    public static func cells(_ r: TokenRecord, in ledger: Ledger, at now: Instant) -> [String] {
        (ledger.isMultiStore ? [Sanitizer.visible(ledger.storeName(of: r))] : []) + [
            r.status(at: now).rawValue,
            Sanitizer.visible(ledger.tenant(of: r)),
            Sanitizer.visible(r.token),
            Sanitizer.visible(ledger.operation(of: r)),
            (now - r.createdAt).compact,
            Format.expiresIn(r, now: now),
            String(r.hits), String(r.mismatches), String(r.conflicts),
            (now - r.lastSeen).compact + " ago",
            r.responseStatus == 0 ? "-" : String(r.responseStatus),
        ]
    }

    /// The CSV cells, in `csvHeader`'s order.
    public var csv: [String] {
        (store.map { [$0] } ?? []) + [status, tenant, token, operation, createdAt, updatedAt, expiresAt, String(expiresInS), lastSeen, String(hits),
         String(mismatches), String(conflicts), fingerprint, responseStatus.map(String.init) ?? ""]
    }
}
