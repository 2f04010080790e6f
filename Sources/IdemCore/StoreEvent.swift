/// One event as a store holds it: a request with its outcome, the end of the work, or an admin action.
///
/// A flat value with optional fields rather than an enum with payloads: the journal decodes millions of these, and
/// every store maps onto the same columns. Which fields a kind carries:
///
/// | kind      | fields                                                                                     |
/// |-----------|--------------------------------------------------------------------------------------------|
/// | request   | operation, fingerprint, outcome; on executed/reexecuted: expiresAt, lockedUntil, request   |
/// |           | on mismatch: storedFingerprint (what the record holds)                                      |
/// | completed | responseStatus, expiresAt (optional: a new expiry), response                                |
/// | failed    | error                                                                                      |
/// | purge     | actor, reason, sawStatus, sawVersion                                                       |
/// | replay    | actor, reason, target, resultStatus                                                        |
///
/// Bodies (`request`, `response`) are usually left on disk and read again through `ref` when a token is opened.
public struct StoreEvent: Sendable, Hashable {
    /// The store's position of this event: the journal's 1-based line number, SQLite's `seq`.
    public var seq: Int64
    public var kind: EventKind
    public var at: Instant
    public var tenant: String
    public var token: String
    public var operation: String?
    public var fingerprint: Fingerprint?
    public var storedFingerprint: Fingerprint?
    public var outcome: Outcome?
    public var expiresAt: Instant?
    public var lockedUntil: Instant?
    public var responseStatus: Int?
    public var error: String?
    public var actor: String?
    public var reason: String?
    public var sawStatus: TokenStatus?
    public var sawVersion: Int?
    public var target: String?
    public var resultStatus: Int?
    /// The stored request, when the reader decoded it (executed/reexecuted).
    public var request: StoredRequest?
    /// The stored response, when the reader decoded it (completed).
    public var response: StoredResponse?
    /// Where the store can find this event again: a journal byte offset, a SQLite seq. -1 when unknown.
    public var ref: Int64
    /// Which of the open stores it came from (0 with one store); set by whoever reads several, never stored.
    public var store: UInt8 = 0

    public init(
        seq: Int64 = 0, kind: EventKind, at: Instant, tenant: String, token: String,
        operation: String? = nil, fingerprint: Fingerprint? = nil, storedFingerprint: Fingerprint? = nil,
        outcome: Outcome? = nil, expiresAt: Instant? = nil, lockedUntil: Instant? = nil,
        responseStatus: Int? = nil, error: String? = nil, actor: String? = nil, reason: String? = nil,
        sawStatus: TokenStatus? = nil, sawVersion: Int? = nil, target: String? = nil, resultStatus: Int? = nil,
        request: StoredRequest? = nil, response: StoredResponse? = nil, ref: Int64 = -1
    ) {
        self.seq = seq
        self.kind = kind
        self.at = at
        self.tenant = tenant
        self.token = token
        self.operation = operation
        self.fingerprint = fingerprint
        self.storedFingerprint = storedFingerprint
        self.outcome = outcome
        self.expiresAt = expiresAt
        self.lockedUntil = lockedUntil
        self.responseStatus = responseStatus
        self.error = error
        self.actor = actor
        self.reason = reason
        self.sawStatus = sawStatus
        self.sawVersion = sawVersion
        self.target = target
        self.resultStatus = resultStatus
        self.request = request
        self.response = response
        self.ref = ref
    }

    public var key: TokenKey { TokenKey(tenant: tenant, token: token, store: store) }

    /// A one-word label for the tail: the outcome for requests, the kind otherwise.
    public var label: String { kind == .request ? (outcome?.rawValue ?? "request") : kind.rawValue }
}
