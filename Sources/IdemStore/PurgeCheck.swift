import IdemCore

/// The compare-and-set rule every store applies inside its own atomic section before writing a purge.
///
/// Shared so the journal and SQLite refuse for the same reasons, in the same words.
public enum PurgeCheck {
    /// Why a purge of `key` must be refused given what the store holds now (`current`), or nil when it may go on.
    ///
    /// The purge goes through only while the record still has the version and stored status the operator saw: any
    /// request, completion or failure since bumps the version.
    public static func refusal(key: TokenKey, current: TokenRecord?, expect: PurgeExpectation, now: Instant) -> String? {
        guard let r = current else { return "\(key.visible): no such token in the store" }
        let sawText = "you saw \(expect.status.rawValue) (version \(expect.version))"
        if r.stored == .purged {
            if Int(r.version) == expect.version { return "\(key.visible) is already purged" }
            return "\(key.visible) was purged meanwhile (\(sawText))"
        }
        if Int(r.version) != expect.version || r.stored != expect.storedStatus {
            let nowText = "\(r.status(at: now).rawValue) (version \(r.version))"
            return "\(key.visible) changed since you looked: \(sawText), the store now holds \(nowText); "
                + "nothing was purged, look again"
        }
        return nil
    }

    /// The admin event a granted purge appends.
    public static func event(key: TokenKey, expect: PurgeExpectation, actor: String, reason: String,
                             at now: Instant) -> StoreEvent {
        StoreEvent(kind: .purge, at: now, tenant: key.tenant, token: key.token, actor: actor, reason: reason,
                   sawStatus: expect.status, sawVersion: expect.version)
    }
}

extension TokenKey {
    /// `tenant/token` with control characters made visible, for messages.
    var visible: String { Sanitizer.visible(description) }
}
