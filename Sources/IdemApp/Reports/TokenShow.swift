import Foundation
import IdemCore
import IdemStore
import IdemUI

/// Finding one token in a loaded store the way the commands name it: a token, and a tenant when it is ambiguous.
public enum TokenLookup {
    /// Why a token cannot be picked: one line; `ambiguous` is a usage error (pass `--tenant`).
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var ambiguous: Bool
        public var description: String { message }
    }

    /// The record's index for `token` (in `tenant`, when given).
    public static func find(token: String, tenant: String?, in ledger: Ledger) throws(Failure) -> Int {
        if let tenant {
            guard let i = ledger.indexOf(TokenKey(tenant: tenant, token: token)) else {
                throw Failure(message: "no token '\(Sanitizer.visible(token))' in tenant '\(Sanitizer.visible(tenant))'",
                              ambiguous: false)
            }
            return i
        }
        let found = ledger.indexes(token: token)
        guard let first = found.first else {
            throw Failure(message: "no token '\(Sanitizer.visible(token))' in the store", ambiguous: false)
        }
        guard found.count == 1 else {
            let tenants = found.map { Sanitizer.visible(ledger.tenant(of: ledger.records[$0])) }.joined(separator: ", ")
            throw Failure(message: "token '\(Sanitizer.visible(token))' exists in tenants \(tenants): pass --tenant",
                          ambiguous: true)
        }
        return first
    }
}

/// What `show` prints of one token: the record, the stored request and response (secrets masked as on the
/// dashboard), and the timeline.
public struct TokenShow: Encodable, Sendable {
    /// A stored request or response as JSON shows it.
    public struct Message: Encodable, Sendable {
        public var method: String?
        public var path: String?
        public var status: Int?
        public var headers: [String: String]
        @Nullable public var body: String?
    }

    public var row: TokenRow
    @Nullable public var request: Message?
    @Nullable public var response: Message?
    @Nullable public var error: String?
    public var timeline: [EventReport]
    let record: TokenRecord
    let detail: TokenDetail
    let tenant: String
    let operation: String
    let now: Instant
    let mask: SecretMask

    public init(record: TokenRecord, in ledger: Ledger, detail: TokenDetail, at now: Instant, mask: SecretMask) {
        row = TokenRow(record, in: ledger, at: now)
        func masked(_ h: [String: String]) -> [String: String] {
            Dictionary(mask.headers(h), uniquingKeysWith: { a, _ in a })
        }
        request = detail.request.map {
            Message(method: $0.method, path: $0.path, headers: masked($0.headers), body: $0.body.map(mask.body))
        }
        response = detail.response.map {
            Message(status: $0.status, headers: masked($0.headers), body: $0.body.map(mask.body))
        }
        error = detail.error
        timeline = detail.timeline.map(EventReport.init)
        self.record = record
        self.detail = detail
        tenant = ledger.tenant(of: record)
        operation = ledger.operation(of: record)
        self.now = now
        self.mask = mask
    }

    /// The record's keys at the top level, with `request`, `response`, `error` and `timeline` beside them.
    public func encode(to encoder: Encoder) throws {
        try row.encode(to: encoder)
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(_request, forKey: .request)
        try c.encode(_response, forKey: .response)
        try c.encode(_error, forKey: .error)
        try c.encode(timeline, forKey: .timeline)
    }

    enum Keys: String, CodingKey { case request, response, error, timeline }

    /// The text `show` prints.
    public var lines: [String] {
        let r = record
        let status = r.status(at: now)
        func when(_ t: Instant) -> String {
            let d = now - t
            return "\(t.rfc3339)  (\(d.ms >= 0 ? "\(d.compact) ago" : "in \((-d).compact)"))"
        }
        let countdown = Format.expiresIn(r, now: now)
        let expiry = [.purged, .expired, .stuck].contains(status) ? countdown : "expires in \(countdown)"
        var lines = [
            "token        \(Sanitizer.visible(r.token))",
            "tenant       \(Sanitizer.visible(tenant))",
            "operation    \(Sanitizer.visible(operation))",
            "status       \(status.rawValue)  (stored \(r.stored.rawValue); \(expiry))",
            "created      \(when(r.createdAt))",
            "updated      \(when(r.updatedAt))",
            "expires      \(when(r.expiresAt))",
            "locked until \(when(r.lockedUntil))",
            "last seen    \(when(r.lastSeen))",
            "fingerprint  \(r.fingerprint)",
            "counts       hits \(r.hits)  mismatches \(r.mismatches)  conflicts \(r.conflicts)  "
                + "reexecutions \(r.reexecutions)  executions \(r.executions)  version \(r.version)",
            "",
        ]
        func body(_ text: String?) {
            guard let text, !text.isEmpty else { return }
            for l in mask.body(text).split(separator: "\n", omittingEmptySubsequences: false) {
                lines.append("  " + Sanitizer.visible(String(l)))
            }
        }
        if let q = detail.request {
            lines.append("request      \(Sanitizer.visible(q.method)) \(Sanitizer.visible(q.path))")
            for (k, v) in mask.headers(q.headers) { lines.append("  \(Sanitizer.visible(k)): \(Sanitizer.visible(v))") }
            body(q.body)
        } else {
            lines.append("request      (the store holds no request for this token)")
        }
        if let p = detail.response {
            lines.append("response     \(p.status)")
            for (k, v) in mask.headers(p.headers) { lines.append("  \(Sanitizer.visible(k)): \(Sanitizer.visible(v))") }
            body(p.body)
        } else if let e = detail.error {
            lines.append("error        \(Sanitizer.visible(e))")
        } else {
            lines.append("response     (none stored)")
        }
        lines.append("")
        lines.append("timeline (\(detail.timeline.count) events)")
        for e in detail.timeline { lines.append("  " + EventReport.line(e)) }
        return lines
    }
}
