/// The known pitfalls of idempotency tokens that the detectors look for.
///
/// The raw values are the names the audit prints and writes to JSON; they are part of idemtop's interface.
public enum FindingKind: String, CaseIterable, Sendable, Codable {
    /// One payload executed under two or more tokens within a short window: the client made a new token on retry.
    case doubleChargeSuspect = "double_charge_suspect"
    /// A request arrived after its token expired, so the work ran again.
    case reexecutedAfterExpiry = "reexecuted_after_expiry"
    /// One token sent with another payload or operation (a `mismatch`), per token or often in one tenant.
    case tokenReuse = "token_reuse"
    /// In progress past its lock deadline: the worker probably died; retries get 409 until it expires.
    case stuck
    /// Tokens that look like timestamps, counters, or are too short or too repetitive to be unique.
    case weakToken = "weak_token"
    /// One token hit many times within a short window: a retry loop without backoff.
    case retryStorm = "retry_storm"
    /// A token still retried just before it expires: the next retry may run the work again.
    case expiringWithRetries = "expiring_with_retries"
    /// A completed record without the payload hash its service validates with: every retry fails validation until it
    /// expires (found by the store: Powertools' cache layer drops the hash on completion).
    case validationHashDropped = "validation_hash_dropped"
    /// An in-progress record without a lock deadline (no Lambda context): locked until it expires, or (TypeScript)
    /// taken over at once (found by the store).
    case inProgressNoDeadline = "in_progress_no_deadline"
    /// An orphan record was taken over (a `{key}:lock` key): the first execution died mid-flight and the work ran
    /// again (found by the store).
    case orphanTakeover = "orphan_takeover"

    /// What the audit, the views, the help, the filter and the simulator know of each kind: one line a kind, in
    /// `allCases` order (the order of a report's kinds within one severity). A new kind is a case above and a line
    /// here; nothing else switches over kinds.
    public static let table: [Info] = [
        Info(.doubleChargeSuspect, label: "double_charge", title: "double charge suspect",
             severities: [.high, .critical], aliases: ["double"],
             summary: "one payload executed under two or more tokens close together: a new token on each retry"),
        Info(.reexecutedAfterExpiry, label: "reexecuted", title: "re-executed after expiry", severities: [.high],
             aliases: ["reexecution"], summary: "a request arrived after its token expired, so the work ran again"),
        Info(.tokenReuse, label: "reuse", title: "token reused", severities: [.medium, .high], aliases: ["reused"],
             summary: "one token sent with another payload or operation (422), per token or often in one tenant"),
        Info(.stuck, label: "stuck", title: "stuck", severities: [.medium, .high],
             summary: "in progress past its lock deadline: the worker probably died; retries get 409"),
        Info(.weakToken, label: "weak", title: "weak token", severities: [.low, .medium, .high],
             summary: "a tenant's tokens look like timestamps or counters, or are short or repetitive"),
        Info(.retryStorm, label: "storm", title: "retry storm", severities: [.medium, .high],
             summary: "one token hit many times within a minute: a retry loop without backoff"),
        Info(.expiringWithRetries, label: "expiring", title: "expiring with retries", severities: [.medium],
             summary: "a token still retried just before it expires: the next retry may run the work again"),
        Info(.validationHashDropped, label: "no_validation", title: "completed without validation hash",
             severities: [.medium], aliases: ["validation"],
             summary: "a completed record lost its payload hash while payloads are validated: every retry fails validation until it expires",
             foundByStore: true),
        Info(.inProgressNoDeadline, label: "no_deadline", title: "in progress without deadline",
             severities: [.medium, .high], aliases: ["deadline"],
             summary: "an in-progress record has no lock deadline: locked until it expires, or taken over at once by a concurrent retry",
             foundByStore: true),
        Info(.orphanTakeover, label: "takeover", title: "orphan taken over", severities: [.high], aliases: ["orphan"],
             summary: "an orphaned in-progress record was taken over: the first execution died mid-flight and the work ran again",
             foundByStore: true),
    ]

    /// This kind's line of `table` (a test checks that every case has one).
    public var info: Info {
        FindingKind.byKind[self] ?? Info(self, label: rawValue, title: rawValue, severities: [], summary: rawValue)
    }

    /// A short human title, for table headers and help.
    public var title: String { info.title }

    /// A short label for the header, narrow tables and the filter term `finding:LABEL`.
    public var shortLabel: String { info.label }

    /// The position in `table` (and `allCases`), used to order findings of one severity.
    var rank: Int { FindingKind.ranks[self] ?? FindingKind.table.count }

    /// Parses a kind from its name, short label or an alias, ignoring case and `-`/`_` (`double-charge`, `stuck`).
    public init?(filterName: String) {
        let v = filterName.lowercased().replacingOccurrences(of: "-", with: "_")
        guard let k = FindingKind(rawValue: v) ?? FindingKind.byName[v] else { return nil }
        self = k
    }

    static let byKind: [FindingKind: Info] = Dictionary(table.map { ($0.kind, $0) }, uniquingKeysWith: { a, _ in a })

    static let ranks: [FindingKind: Int] = Dictionary(table.enumerated().map { ($1.kind, $0) },
                                                      uniquingKeysWith: { a, _ in a })

    /// The labels and aliases the filter accepts, besides the raw values.
    static let byName: [String: FindingKind] = {
        var out: [String: FindingKind] = [:]
        for x in table { for name in [x.label] + x.aliases where out[name] == nil { out[name] = x.kind } }
        return out
    }()
}
