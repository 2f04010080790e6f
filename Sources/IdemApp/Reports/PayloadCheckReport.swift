import IdemCore
import IdemDynamo
import IdemStore

/// What `check-payload` finds: the record a payload maps to in a Powertools table, and what Powertools would do
/// with the next request carrying it.
public struct PayloadCheckReport: Encodable, Sendable {
    public struct Record: Encodable, Sendable {
        public var id: String
        public var status: String
        public var shown: String
        @Nullable public var validation: String?
    }

    public var verdict: String
    public var why: String
    public var keyHash: String
    public var keyJSON: String
    @Nullable public var validationHash: String?
    public var token: String
    public var payloadIsToken: Bool
    @Nullable public var record: Record?
    public var at: String
    let tokenHash: String

    enum CodingKeys: String, CodingKey {
        case verdict, why, token, record, at
        case keyHash = "key_hash", keyJSON = "key_json", validationHash = "validation_hash"
        case payloadIsToken = "payload_is_token"
    }

    /// Looks the payload's key up among the records of `loaded` (read by `reader`), for the record the operator
    /// named as `token` (its hash, or the full `fn.module.qualname#hash`).
    public init(check: PayloadCheck, token: String, loaded: LoadedStore, reader: DynamoReader, at now: Instant) throws {
        let found = try PayloadCheckReport.candidate(check, token, loaded).flatMap { try reader.record(for: $0) }
        self.init(check: check, token: token, found: found.map {
            (id: $0.id, rawStatus: $0.rawStatus, PayloadCheck.Checked(status: $0.status(at: now), stored: $0.stored,
                                                                     validation: $0.validation, expiresAt: $0.expiresAt,
                                                                     lockedUntil: $0.lockedUntil))
        }, at: now)
    }

    /// The token of the record the payload's key names among `loaded`'s, in the tenant `token` names (or the
    /// first tenant holding that token).
    static func candidate(_ check: PayloadCheck, _ token: String, _ loaded: LoadedStore) -> TokenKey? {
        let ledger = loaded.ledger
        let named = PowertoolsRecord.split(token)
        let tenants = Set(ledger.indexes(token: named.token).map { ledger.tenant(of: ledger.records[$0]) })
        let tenant = named.tenant.isEmpty ? tenants.sorted().first : named.tenant
        var candidates = [check.keyHash, check.keyHashBase64].flatMap { ledger.indexes(token: $0) }
        if let tenant { candidates = candidates.filter { ledger.tenant(of: ledger.records[$0]) == tenant } }
        return candidates.first.map { ledger.key(of: ledger.records[$0]) }
    }

    /// The report for the record found (its key, stored status text and what the decision reads), nil for none.
    init(check: PayloadCheck, token: String, found: (id: String, rawStatus: String, PayloadCheck.Checked)?, at now: Instant) {
        let named = PowertoolsRecord.split(token)
        let (verdict, why) = check.verdict(record: found?.2)
        self.verdict = verdict.rawValue
        self.why = why
        keyHash = check.keyHash
        keyJSON = check.keyText
        validationHash = check.validationHash
        self.token = token
        tokenHash = named.token
        payloadIsToken = check.matches(token: named.token)
        record = found.map { Record(id: $0.id, status: $0.rawStatus, shown: $0.2.status.rawValue, validation: $0.2.validation) }
        at = now.rfc3339
    }

    /// The lines for people.
    public var lines: [String] {
        var lines = ["verdict     \(verdict): \(why)",
                     "key hash    \(keyHash)  (md5 of \(Sanitizer.visible(String(keyJSON.prefix(120)))))"]
        if let validationHash { lines.append("validation  \(validationHash)") }
        if let record { lines.append("record      \(Sanitizer.visible(record.id))  \(record.status)  shown \(record.shown)") }
        if !payloadIsToken {
            lines.append("note        the payload hashes to \(keyHash), not \(Sanitizer.visible(tokenHash)): it uses another record")
        }
        return lines
    }
}
