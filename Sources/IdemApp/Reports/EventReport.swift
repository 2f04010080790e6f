import IdemCore

/// One event as the headless commands print it: a JSON object (the timeline of `show`, admin events of `purge` and
/// `replay`) or one line of text (`tail`, the timeline's lines).
public struct EventReport: Encodable, Sendable {
    public var kind: String
    public var at: String
    public var tenant: String
    public var token: String
    /// 0 is no position: an event just written, which no reader has numbered yet; left out then.
    public var seq: Int64?
    public var operation: String?
    public var outcome: String?
    public var fingerprint: String?
    public var storedFingerprint: String?
    public var expiresAt: String?
    public var lockedUntil: String?
    public var responseStatus: Int?
    public var error: String?
    public var actor: String?
    public var reason: String?
    public var sawStatus: String?
    public var sawVersion: Int?
    public var target: String?
    public var resultStatus: Int?

    enum CodingKeys: String, CodingKey {
        case kind, at, tenant, token, seq, operation, outcome, fingerprint, error, actor, reason, target
        case storedFingerprint = "stored_fingerprint", expiresAt = "expires_at", lockedUntil = "locked_until"
        case responseStatus = "response_status", sawStatus = "saw_status", sawVersion = "saw_version"
        case resultStatus = "result_status"
    }

    public init(_ e: StoreEvent) {
        kind = e.kind.rawValue
        at = e.at.rfc3339
        tenant = e.tenant
        token = e.token
        seq = e.seq > 0 ? e.seq : nil
        operation = e.operation
        outcome = e.outcome?.rawValue
        fingerprint = e.fingerprint?.description
        storedFingerprint = e.storedFingerprint?.description
        expiresAt = e.expiresAt?.rfc3339
        lockedUntil = e.lockedUntil?.rfc3339
        responseStatus = e.responseStatus
        error = e.error
        actor = e.actor
        reason = e.reason
        sawStatus = e.sawStatus?.rawValue
        sawVersion = e.sawVersion
        target = e.target
        resultStatus = e.resultStatus
    }

    /// `2026-11-29T05:00:01.123Z  replayed    acme  3f2a…  POST /v1/charges`, with what matters for each kind.
    public static func line(_ e: StoreEvent, withKey: Bool = false) -> String {
        var parts = [e.at.rfc3339, e.label.padding(toLength: 10, withPad: " ", startingAt: 0)]
        if withKey { parts.append(Sanitizer.visible(e.tenant)); parts.append(Sanitizer.visible(e.token)) }
        switch e.kind {
        case .request:
            if let op = e.operation { parts.append(Sanitizer.visible(op)) }
            if let fp = e.fingerprint { parts.append("fp \(fp.short())") }
            if e.outcome == .mismatch, let stored = e.storedFingerprint { parts.append("stored fp \(stored.short())") }
        case .completed:
            parts.append("response \(e.responseStatus.map(String.init) ?? "-")")
        case .failed:
            parts.append("error: \(Sanitizer.visible(e.error ?? ""))")
        case .purge:
            parts.append("by \(Sanitizer.visible(e.actor ?? "?"))")
            if let s = e.sawStatus { parts.append("saw \(s.rawValue) v\(e.sawVersion ?? 0)") }
            if let r = e.reason { parts.append("reason: \(Sanitizer.visible(r))") }
        case .replay:
            parts.append("by \(Sanitizer.visible(e.actor ?? "?"))")
            if let t = e.target { parts.append("to \(Sanitizer.visible(t))") }
            if let s = e.resultStatus { parts.append("-> \(s)") }
        }
        return parts.joined(separator: "  ")
    }
}
