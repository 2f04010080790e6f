import IdemCore

/// How the headless commands print one event: a JSON object, or one line of text.
enum EventFields {
    static func json(_ e: StoreEvent) -> [String: Any] {
        var o: [String: Any] = [
            "kind": e.kind.rawValue, "at": e.at.rfc3339, "tenant": e.tenant, "token": e.token,
        ]
        // 0 is no position: an event just written, which no reader has numbered yet.
        if e.seq > 0 { o["seq"] = e.seq }
        if let v = e.operation { o["operation"] = v }
        if let v = e.outcome { o["outcome"] = v.rawValue }
        if let v = e.fingerprint { o["fingerprint"] = v.description }
        if let v = e.storedFingerprint { o["stored_fingerprint"] = v.description }
        if let v = e.expiresAt { o["expires_at"] = v.rfc3339 }
        if let v = e.lockedUntil { o["locked_until"] = v.rfc3339 }
        if let v = e.responseStatus { o["response_status"] = v }
        if let v = e.error { o["error"] = v }
        if let v = e.actor { o["actor"] = v }
        if let v = e.reason { o["reason"] = v }
        if let v = e.sawStatus { o["saw_status"] = v.rawValue }
        if let v = e.sawVersion { o["saw_version"] = v }
        if let v = e.target { o["target"] = v }
        if let v = e.resultStatus { o["result_status"] = v }
        return o
    }

    /// `2026-11-29T05:00:01.123Z  replayed    acme  3f2a…  POST /v1/charges`, with what matters for each kind.
    static func line(_ e: StoreEvent, withKey: Bool = false) -> String {
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
