import Foundation
import IdemCore
import IdemDynamo

/// One idempotency record read from Redis (a key's string value, as one library's profile lays it out) with what
/// the library would decide from it: its status at any instant, its deadlines, its fingerprint and response.
public struct RedisRecord: Sendable, Hashable {
    /// The Redis key.
    public var key: String
    public var tenant: String
    public var operation: String
    public var token: String
    /// The status text as stored (`INPROGRESS`, `COMPLETE`, ...; `request`/`response` for express-idempotency).
    public var rawStatus: String
    public var stored: StoredStatus
    /// The library's own expiry field (its unit), when the value has one.
    public var expiration: Int64?
    /// Whether `expiration` is in milliseconds (a custom profile's `expiry_unit=ms`).
    public var expiresInMs = false
    /// `in_progress_expiration` (epoch ms), when the value has one.
    public var inProgressExpiration: Int64?
    /// The first instant the record counts as expired: the library's own expiry when the value has one, else Redis
    /// dropping the key at its TTL (after which no library can see the record).
    public var expiresAt: Instant
    /// The first instant another request may take the in-progress record over.
    public var lockedUntil: Instant
    /// When Redis drops the key (from PTTL at `readAt`); nil when it has no TTL.
    public var dropsAt: Instant?
    /// The payload hash the library compares (`validation`, `fingerPrint`).
    public var fingerprint: String?
    public var request: StoredRequest?
    public var response: StoredResponse?
    /// When the library wrote it, if the value says (express-idempotency's `createdAt`).
    public var createdAt: Instant?
    /// The value's bytes: what a guarded purge compares (the tracker keeps a `RedisKeyState`, without it).
    public var value: [UInt8]
    /// A digest of the value: what two looks compare to tell whether the key changed.
    public var valueDigest: Int

    public var tokenKey: TokenKey { TokenKey(tenant: tenant, token: token) }

    /// The status the library would act on at `now`.
    public func status(at now: Instant) -> TokenStatus {
        TokenRecord.derive(stored: stored, expiresAt: expiresAt, lockedUntil: lockedUntil, at: now)
    }

    /// When the library wrote the record, as well as the value tells: its `createdAt`, else its expiry field (as
    /// stored, without the library's "past it" rounding) or the key's TTL end, minus the retention. Never later
    /// than the write itself, so a listing `--at` the moment it started still holds records written just before.
    public func writtenEstimate(expiresAfter: TimeSpan) -> Instant? {
        if let createdAt { return createdAt }
        if let expiration, expiration > 0 {
            return Instant(ms: expiresInMs ? expiration : expiration * 1000) - expiresAfter
        }
        return dropsAt.map { $0 - expiresAfter }
    }

    /// Why a value is not a record of the profile: one line.
    public struct Unreadable: Error, Sendable, CustomStringConvertible {
        public var description: String
        init(_ d: String) { description = d }
    }

    /// Decodes `value` (the key's string), read with `pttl` ms left at `now`.
    public init(key: String, value: [UInt8], pttl: Int64, at now: Instant, profile: RedisProfile,
                fields: FieldNames? = nil) throws {
        self.key = key
        self.value = value
        var h = Hasher()
        value.withUnsafeBytes { h.combine(bytes: $0) }
        valueDigest = h.finalize()
        dropsAt = pttl >= 0 ? now + TimeSpan(ms: pttl) : nil
        let far = Instant(ms: 253_402_300_799_000)
        let ttlEnd = dropsAt ?? far
        let fast = RedisRecord.fastPowertools(value, profile: profile, fields: fields)
        let object: [String: Any]
        if fast != nil {
            object = [:]
        } else {
            let parsed = try? JSONSerialization.jsonObject(with: Data(value), options: [.fragmentsAllowed])
            guard let o = parsed as? [String: Any] else {
                throw Unreadable(parsed == nil ? "not JSON" : "JSON but not an object")
            }
            object = o
        }
        switch profile.library {
        case .powertools, .powertoolsTS, .custom:
            (tenant, operation, token) = RedisRecord.splitPowertools(key)
            let raw: String
            if let fast { raw = fast.status } else {
                guard let r = object[profile.statusField] as? String else {
                    throw Unreadable("no string field '\(profile.statusField)'")
                }
                raw = r
            }
            rawStatus = raw
            if raw == profile.inProgressWord { stored = .inProgress }
            else if raw == profile.completedWord { stored = .completed }
            else { throw Unreadable("unknown status '\(raw)'") }
            // Python 3.37.0 reads the expiry from "expiration" whatever expiry_attr says (cache.py's
            // _item_to_data_record); TypeScript and custom read the configured field.
            let expiryField = profile.library == .powertools ? "expiration" : profile.expiryField
            expiration = try fast.map { $0.expiration } ?? RedisRecord.integer(object, expiryField)
            expiresInMs = profile.expiryInMs
            inProgressExpiration = try fast.map { $0.inProgressExpiration }
                ?? RedisRecord.integer(object, profile.inProgressExpiryField)
            // The library's own expiry when the value has one (stable across reads, so a purge can compare it);
            // Redis drops the key a little before it (ttl = expiration - int(now)), which the tracker knows.
            expiresAt = expiration.flatMap { $0 == 0 ? nil : profile.expiredFrom($0) } ?? ttlEnd
            lockedUntil = stored == .inProgress ? profile.lockFreeFrom(inProgressExpiration, expiresAt: expiresAt)
                : expiresAt
            if let fast {
                fingerprint = fast.fingerprint
                response = fast.response
            }
            if fast == nil, let v = object[profile.validationField] { fingerprint = v as? String ?? "\(v)" }
            if fast == nil, let data = object[profile.dataField], !(data is NSNull) {
                let text = data as? String ?? RedisRecord.json(data)
                response = StoredResponse(status: RedisRecord.statusCode(data) ?? 200, body: text)
            }
        case .nodeIdempotency:
            (tenant, operation, token) = RedisRecord.splitNodeIdempotency(key)
            guard let raw = object["status"] as? String else { throw Unreadable("no string field 'status'") }
            rawStatus = raw
            if raw == profile.inProgressWord { stored = .inProgress }
            else if raw == profile.completedWord { stored = .completed }
            else { throw Unreadable("unknown status '\(raw)'") }
            // No deadline of its own: IN_PROGRESS refuses every retry until the key's PX runs out.
            expiresAt = ttlEnd
            lockedUntil = ttlEnd
            fingerprint = object["fingerPrint"] as? String
            if let r = object["response"] as? [String: Any] {
                response = StoredResponse(status: r["error"] == nil ? 200 : 500, body: RedisRecord.json(r))
            }
        case .expressIdempotency:
            (tenant, token) = ("", key)
            guard let req = object["request"] as? [String: Any] else { throw Unreadable("no object field 'request'") }
            let method = req["method"] as? String ?? ""
            let url = req["url"] as? String ?? ""
            operation = "\(method) \(url)"
            var headers: [String: String] = [:]
            for (k, v) in req["headers"] as? [String: Any] ?? [:] { headers[k] = v as? String ?? "\(v)" }
            request = StoredRequest(method: method, path: url, headers: headers,
                                    body: req["body"].map { $0 is NSNull ? "null" : RedisRecord.json($0) })
            if let text = object["createdAt"] as? String { createdAt = Instant(rfc3339: text) }
            else if let ms = object["createdAt"] as? NSNumber { createdAt = Instant(ms: ms.int64Value) }
            expiresAt = ttlEnd
            if let r = object["response"] as? [String: Any] {
                rawStatus = "response"
                stored = .completed
                var headers: [String: String] = [:]
                for (k, v) in r["headers"] as? [String: Any] ?? [:] { headers[k] = v as? String ?? "\(v)" }
                let body = r["body"].map { $0 as? String ?? RedisRecord.json($0) }
                response = StoredResponse(status: (r["statusCode"] as? NSNumber)?.intValue ?? 200, headers: headers,
                                          body: body)
                lockedUntil = ttlEnd
            } else {
                rawStatus = "request"
                stored = .inProgress
                // isLeaseExpired: `Date.now() - createdAt > processingTimeout`, only when both are set.
                if let timeout = profile.processingTimeoutMs, let createdAt {
                    lockedUntil = createdAt + TimeSpan(ms: timeout + 1)
                } else {
                    lockedUntil = ttlEnd
                }
            }
        }
    }

    /// `node-idempotency:{method}:{path}:{key}` as tenant, operation (`method path`) and token.
    static func splitNodeIdempotency(_ key: String) -> (tenant: String, operation: String, token: String) {
        let parts = key.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 4 else { return ("", "", key) }
        return (String(parts[0]), "\(parts[1]) \(parts[2..<(parts.count - 1)].joined(separator: ":"))",
                String(parts[parts.count - 1]))
    }

    /// The tenant and token a record under `key` has, as its decoding splits the key (the change tracker keeps
    /// only the key, and asks this when it reports the record gone).
    public static func tokenKey(ofKey key: String, library: RedisProfile.Library) -> TokenKey {
        switch library {
        case .powertools, .powertoolsTS, .custom:
            let s = splitPowertools(key)
            return TokenKey(tenant: s.tenant, token: s.token)
        case .nodeIdempotency:
            let s = splitNodeIdempotency(key)
            return TokenKey(tenant: s.tenant, token: s.token)
        case .expressIdempotency: return TokenKey(tenant: "", token: key)
        }
    }

    /// An integer field (JSON numbers from JavaScript may carry a fraction); nil when absent, throws when not a number.
    static func integer(_ object: [String: Any], _ field: String) throws -> Int64? {
        guard let v = object[field], !(v is NSNull) else { return nil }
        guard let n = v as? NSNumber else {
            throw Unreadable("'\(field)' is not a number")
        }
        return Int64(n.doubleValue.rounded(.down))
    }

    static func json(_ v: Any) -> String {
        guard let d = try? JSONSerialization.data(withJSONObject: v, options: [.sortedKeys, .fragmentsAllowed]) else {
            return "\(v)"
        }
        return String(decoding: d, as: UTF8.self)
    }

    /// The `statusCode` of a response object, or of a JSON string holding one (Powertools Python's `data`).
    static func statusCode(_ data: Any) -> Int? {
        var object = data as? [String: Any]
        if object == nil, let s = data as? String {
            object = (try? JSONSerialization.jsonObject(with: Data(s.utf8))) as? [String: Any]
        }
        return ((object?["statusCode"] ?? object?["StatusCode"]) as? NSNumber)?.intValue
    }
}
