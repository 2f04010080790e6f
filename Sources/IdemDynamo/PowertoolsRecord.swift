import Foundation
import IdemCore

/// One idempotency record as Powertools stores it, decoded from a DynamoDB item with the table's attribute names.
///
/// Timing follows Powertools to the millisecond: it calls a record expired when `int(now_seconds) > expiration`,
/// which is `now >= (expiration + 1) s`; and lets an INPROGRESS record be taken over when
/// `in_progress_expiration < now_ms`, which is `now >= in_progress_expiration + 1 ms`. So `expiresAt` and
/// `lockedUntil` are those first instants, and the core's `now >= deadline` rule decides exactly as Powertools does.
public struct PowertoolsRecord: Sendable, Hashable {
    /// The idempotency key: `{function}.{module}.{qualname}#{hash}` (or `{key_prefix}#{hash}`).
    public var id: String
    /// The partition key's value in the sort-key layout (`idempotency#{function}`), nil in the simple layout.
    public var partitionValue: String?
    public var tenant: String
    public var operation: String
    public var token: String
    /// The status text as stored (`INPROGRESS`, `COMPLETED`; `IN_PROGRESS`, `COMPLETE` are accepted too).
    public var rawStatus: String
    public var stored: StoredStatus
    /// Epoch seconds.
    public var expiration: Int64?
    /// Epoch milliseconds; missing in records from older Powertools versions.
    public var inProgressExpiration: Int64?
    public var data: String?
    public var validation: String?

    /// The first instant Powertools calls the record expired; far in the future when it has no expiration.
    public var expiresAt: Instant {
        expiration.map { Instant(ms: ($0 + 1) * 1000) } ?? Instant(ms: 253_402_300_799_000)
    }

    /// The first instant another request may take the INPROGRESS record over; without `in_progress_expiration`,
    /// only expiry frees it.
    public var lockedUntil: Instant { inProgressExpiration.map { Instant(ms: $0 + 1) } ?? expiresAt }

    /// The status Powertools would act on at `now`.
    public func status(at now: Instant) -> TokenStatus {
        TokenRecord.derive(stored: stored, expiresAt: expiresAt, lockedUntil: lockedUntil, at: now)
    }

    public var key: TokenKey { TokenKey(tenant: tenant, token: token) }

    /// What two scans compare to tell whether the record changed.
    public var state: State {
        State(rawStatus: rawStatus, expiration: expiration, inProgressExpiration: inProgressExpiration,
              validation: validation, data: data)
    }

    /// The parts of a record that change when Powertools writes it.
    public struct State: Sendable, Hashable {
        public var rawStatus: String
        public var expiration: Int64?
        public var inProgressExpiration: Int64?
        public var validation: String?
        public var data: String?
    }

    /// The stored status for Powertools' status text, nil for anything else.
    public static func storedStatus(_ text: String) -> StoredStatus? {
        switch text.uppercased() {
        case "INPROGRESS", "IN_PROGRESS": return .inProgress
        case "COMPLETED", "COMPLETE": return .completed
        default: return nil
        }
    }

    /// Decodes an item; throws `malformed` with a reason when it is not a Powertools record.
    public init(item: Item, config: DynamoTableConfig) throws {
        let idAttr = config.sortKeyAttr ?? config.keyAttr
        guard let id = item[idAttr]?.string else {
            throw DynamoError.malformed("no string attribute '\(idAttr)'")
        }
        self.id = id
        partitionValue = config.sortKeyAttr == nil ? nil : item[config.keyAttr]?.string
        (tenant, operation, token) = PowertoolsRecord.split(id)
        guard let raw = item[config.statusAttr]?.string else {
            throw DynamoError.malformed("\(id): no string attribute '\(config.statusAttr)'")
        }
        guard let stored = PowertoolsRecord.storedStatus(raw) else {
            throw DynamoError.malformed("\(id): unknown status '\(raw)'")
        }
        rawStatus = raw
        self.stored = stored
        expiration = item[config.expiryAttr]?.int64
        if item[config.expiryAttr] != nil, expiration == nil {
            throw DynamoError.malformed("\(id): '\(config.expiryAttr)' is not a number")
        }
        inProgressExpiration = item[config.inProgressExpiryAttr]?.int64
        data = item[config.dataAttr]?.string
        validation = item[config.validationKeyAttr]?.string
    }

    /// Splits an idempotency key into tenant (the function name), operation (`module.qualname`) and token (the
    /// hash). A key with a custom `key_prefix` and no dot has an empty operation; a key with no `#` is all token.
    public static func split(_ id: String) -> (tenant: String, operation: String, token: String) {
        guard let hash = id.lastIndex(of: "#") else { return ("", "", id) }
        let prefix = id[..<hash]
        let token = String(id[id.index(after: hash)...])
        guard let dot = prefix.firstIndex(of: ".") else { return (String(prefix), "", token) }
        return (String(prefix[..<dot]), String(prefix[prefix.index(after: dot)...]), token)
    }

    /// The item's primary key for GetItem and DeleteItem.
    public func primaryKey(config: DynamoTableConfig) -> Item {
        if let sk = config.sortKeyAttr {
            return [config.keyAttr: .s(partitionValue ?? config.staticPKValue ?? "idempotency#\(tenant)"), sk: .s(id)]
        }
        return [config.keyAttr: .s(id)]
    }

    /// The stored response: the `data` JSON, with its `statusCode` as the status when it has one (else 200).
    public var response: StoredResponse? {
        guard let data else { return nil }
        var status = 200
        if let object = (try? JSONSerialization.jsonObject(with: Data(data.utf8))) as? [String: Any],
           let code = (object["statusCode"] ?? object["StatusCode"]) as? Int {
            status = code
        }
        return StoredResponse(status: status, body: data)
    }
}
