import IdemCore
import IdemDynamo

extension RedisRecord {
    /// The fields of a Powertools-layout value, read without Foundation (`FlatJSONFields`).
    struct PowertoolsFields {
        var status: String
        var expiration: Int64?
        var inProgressExpiration: Int64?
        var fingerprint: String?
        var response: StoredResponse?
    }

    /// The Powertools-layout fields of `value` when every one is in its plain form (a string status, integer
    /// deadlines, a string or absent validation hash, a string, null or absent data), read without building a tree;
    /// nil otherwise, and the caller decodes with JSONSerialization as before (same results, same reasons).
    static func fastPowertools(_ value: [UInt8], profile: RedisProfile,
                               fields: FieldNames? = nil) -> PowertoolsFields? {
        guard let names = (fields ?? FieldNames(profile)).names,
              let v = FlatJSONFields.read(value, fields: names),
              case .string(let status) = v[0],
              let expiration = plainInteger(v[1]), let inProgress = plainInteger(v[2]) else { return nil }
        var out = PowertoolsFields(status: status, expiration: expiration, inProgressExpiration: inProgress)
        switch v[3] {
        case .absent: break
        case .string(let s): out.fingerprint = s
        default: return nil
        }
        switch v[4] {
        case .absent, .null: break
        case .string(let text): out.response = StoredResponse(status: fastStatusCode(text) ?? 200, body: text)
        default: return nil
        }
        return out
    }

    /// The member names a profile's values are read by, as bytes: made once per reader, not once per value.
    public struct FieldNames: Sendable {
        /// Status, expiry, in-progress expiry, validation, data; nil when the profile is not of the Powertools
        /// layout or names one field twice (then every value goes to JSONSerialization).
        let names: [[UInt8]]?

        public init(_ profile: RedisProfile) {
            let expiryField = profile.library == .powertools ? "expiration" : profile.expiryField
            let names = [profile.statusField, expiryField, profile.inProgressExpiryField, profile.validationField,
                         profile.dataField]
            let layout = profile.library == .powertools || profile.library == .powertoolsTS || profile.library == .custom
            self.names = layout && Set(names).count == names.count ? names.map { Array($0.utf8) } : nil
        }
    }

    /// An absent, null or integer member as `integer(_:_:)` reads it; nil (the outer one) when not plain.
    private static func plainInteger(_ v: FlatJSONFields.Value) -> Int64?? {
        switch v {
        case .absent, .null: return .some(nil)
        case .integer(let n): return .some(n)
        default: return nil
        }
    }

    /// The two member names `statusCode(_:)` looks for, made once.
    private static let statusCodeNames = [Array("statusCode".utf8), Array("StatusCode".utf8)]

    /// `statusCode(_:)` of a JSON string, without Foundation when its status members are plain integers or absent.
    private static func fastStatusCode(_ text: String) -> Int? {
        var t = text
        let fields = t.withUTF8 { FlatJSONFields.read($0, fields: statusCodeNames) }
        switch (fields?[0], fields?[1]) {
        case (.integer(let n)?, _): return Int(n)
        case (.absent?, .integer(let n)?): return Int(n)
        case (.absent?, .absent?): return nil
        default: return statusCode(text)
        }
    }

    /// `PowertoolsRecord.split` of a key (`tenant.operation#token`), on its UTF-8 bytes when it is all ASCII (the
    /// same cuts, without walking Characters); other keys go to `PowertoolsRecord.split` itself.
    static func splitPowertools(_ key: String) -> (tenant: String, operation: String, token: String) {
        var k = key
        return k.withUTF8 { b -> (String, String, String)? in
            var hash = -1, ascii = true
            for (i, c) in b.enumerated() {
                if c >= 0x80 { ascii = false; break }
                if c == 35 { hash = i }
            }
            guard ascii else { return nil }
            guard hash >= 0 else { return ("", "", key) }
            let token = String(decoding: UnsafeBufferPointer(rebasing: b[(hash + 1)...]), as: UTF8.self)
            guard let dot = b[..<hash].firstIndex(of: 46) else {
                return (String(decoding: UnsafeBufferPointer(rebasing: b[..<hash]), as: UTF8.self), "", token)
            }
            return (String(decoding: UnsafeBufferPointer(rebasing: b[..<dot]), as: UTF8.self),
                    String(decoding: UnsafeBufferPointer(rebasing: b[(dot + 1)..<hash]), as: UTF8.self), token)
        } ?? PowertoolsRecord.split(key)
    }
}
