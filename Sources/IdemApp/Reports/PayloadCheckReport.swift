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
        let ledger = loaded.ledger
        let named = PowertoolsRecord.split(token)
        let tenants = Set(ledger.indexes(token: named.token).map { ledger.tenant(of: ledger.records[$0]) })
        let tenant = named.tenant.isEmpty ? tenants.sorted().first : named.tenant
        var candidates = [check.keyHash, check.keyHashBase64].flatMap { ledger.indexes(token: $0) }
        if let tenant { candidates = candidates.filter { ledger.tenant(of: ledger.records[$0]) == tenant } }
        let found = try candidates.first.flatMap { i -> PowertoolsRecord? in
            let r = ledger.records[i]
            return try reader.record(for: ledger.key(of: r))
        }
        let (verdict, why) = check.verdict(record: found, at: now)
        self.verdict = verdict.rawValue
        self.why = why
        keyHash = check.keyHash
        keyJSON = check.keyText
        validationHash = check.validationHash
        self.token = token
        tokenHash = named.token
        payloadIsToken = check.matches(token: named.token)
        record = found.map { Record(id: $0.id, status: $0.rawStatus, shown: $0.status(at: now).rawValue,
                                    validation: $0.validation) }
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
