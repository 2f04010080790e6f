import Foundation
import IdemCore

/// AWS Signature Version 4 over one request: the canonical request, the string to sign, the derived key, the
/// `Authorization` header.
///
/// Pure: the caller passes the time, so the published test vectors can pin every step.
public struct SigV4: Sendable {
    public var credentials: AWSCredentials
    public var region: String
    public var service: String

    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// What signing produced: the headers to send (with `Authorization`) and the intermediate strings for tests.
    public struct Signed: Sendable {
        public var headers: [(String, String)]
        public var canonicalRequest: String
        public var stringToSign: String
        public var signature: String
        public var authorization: String
    }

    /// Signs `method url` with `headers` (`Host` is added from the URL when missing; `X-Amz-Date` from `at` when
    /// missing) and `body`.
    public func sign(method: String, url: URL, headers: [(String, String)], body: [UInt8], at: Instant) -> Signed {
        let amzDate = SigV4.amzDate(at)
        var all = headers
        func has(_ name: String) -> Bool { all.contains { $0.0.lowercased() == name } }
        if !has("host"), let host = url.host {
            let port = url.port.map { ":\($0)" } ?? ""
            all.append(("Host", host + port))
        }
        if !has("x-amz-date") { all.append(("X-Amz-Date", amzDate)) }
        if let token = credentials.sessionToken, !has("x-amz-security-token") {
            all.append(("X-Amz-Security-Token", token))
        }
        let date = String(amzDate.prefix(8))
        let scope = "\(date)/\(region)/\(service)/aws4_request"

        var byName: [String: [String]] = [:]
        for (name, value) in all { byName[name.lowercased(), default: []].append(SigV4.trim(value)) }
        let names = byName.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\(byName[$0, default: []].joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")
        let canonicalRequest = [
            method.uppercased(), SigV4.canonicalURI(url), SigV4.canonicalQuery(url), canonicalHeaders, signedHeaders,
            SHA256.hex(body),
        ].joined(separator: "\n")
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, SHA256.hex(Array(canonicalRequest.utf8))]
            .joined(separator: "\n")
        let signature = Hex.encode(HMAC.sha256(key: signingKey(date: date), stringToSign))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), "
            + "SignedHeaders=\(signedHeaders), Signature=\(signature)"
        all.append(("Authorization", authorization))
        return Signed(headers: all, canonicalRequest: canonicalRequest, stringToSign: stringToSign,
                      signature: signature, authorization: authorization)
    }

    /// The key for one day: HMAC chained over the date, region, service and `aws4_request`.
    public func signingKey(date: String) -> [UInt8] {
        let kDate = HMAC.sha256(key: Array("AWS4\(credentials.secretAccessKey)".utf8), date)
        let kRegion = HMAC.sha256(key: kDate, region)
        let kService = HMAC.sha256(key: kRegion, service)
        return HMAC.sha256(key: kService, "aws4_request")
    }

    /// `20150830T123600Z`.
    public static func amzDate(_ at: Instant) -> String {
        let iso = at.rfc3339 // 2015-08-30T12:36:00.000Z
        let digits = iso.prefix(19).filter { $0 != "-" && $0 != ":" }
        return digits + "Z"
    }

    /// The path, each segment percent-encoded once (DynamoDB always posts to `/`).
    static func canonicalURI(_ url: URL) -> String {
        let path = url.path
        guard !path.isEmpty else { return "/" }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).map { encode(String($0)) }
        let joined = segments.joined(separator: "/")
        return joined.hasPrefix("/") ? joined : "/" + joined
    }

    /// Query parameters percent-encoded and sorted by name, then value.
    static func canonicalQuery(_ url: URL) -> String {
        guard let query = URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedQuery,
              !query.isEmpty else { return "" }
        let pairs: [(String, String)] = query.split(separator: "&").map { part in
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decoded(_ s: Substring) -> String { String(s).removingPercentEncoding ?? String(s) }
            return (encode(decoded(kv[0])), kv.count > 1 ? encode(decoded(kv[1])) : "")
        }
        return pairs.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }.map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// RFC 3986 percent-encoding: everything but `A-Z a-z 0-9 - . _ ~`, as upper-case `%XX`.
    static func encode(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case 65...90, 97...122, 48...57, 45, 46, 95, 126: out.unicodeScalars.append(Unicode.Scalar(b))
            default: out += String(format: "%%%02X", b)
            }
        }
        return out
    }

    /// A header value with leading and trailing space removed and inner runs of spaces collapsed to one.
    static func trim(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            .trimmingCharacters(in: .whitespaces)
    }
}
