import Foundation
import IdemCore

/// Everything a `dynamodb://TABLE?...` store URL says: the table, where it is, how Powertools named its attributes,
/// the key layout, and how idemtop reads it.
///
/// Options come from the URL's query, or from a `config=FILE` of `name = value` lines (the URL wins). See
/// docs/dynamodb.md for the list.
public struct DynamoTableConfig: Sendable, Hashable {
    public var table: String
    public var region: String?
    public var endpoint: URL?
    public var profile: String?
    /// Powertools' `key_attr`: the partition key (default `id`).
    public var keyAttr = "id"
    /// Powertools' `sort_key_attr`: set for the sort-key layout; read from the table's key schema when not given.
    public var sortKeyAttr: String?
    /// Powertools' `static_pk_value` (default `idempotency#FUNCTION`): with the sort-key layout, read only this
    /// partition with a Query instead of scanning the table.
    public var staticPKValue: String?
    public var expiryAttr = "expiration"
    public var inProgressExpiryAttr = "in_progress_expiration"
    public var statusAttr = "status"
    public var dataAttr = "data"
    public var validationKeyAttr = "validation"
    /// Parallel Scan segments (default 4).
    public var segments = 4
    /// How often to look for changes after the first scan (default 2 s).
    public var pollInterval = TimeSpan.seconds(2)
    /// Powertools' `expires_after_seconds` (default 3600): used only to estimate when a record seen for the first
    /// time was written (expiration minus this).
    public var expiresAfter = TimeSpan.seconds(3600)
    /// The local JSON-lines journal purge and replay admin events are appended to.
    public var auditPath: String?
    /// Strongly consistent reads (Scan, Query, GetItem).
    public var consistentRead = false
    /// Items per Scan page (DynamoDB's `Limit`); nil lets DynamoDB fill 1 MB pages.
    public var pageLimit: Int?
    /// Follow the table's DynamoDB stream after the first scan when it has one with new images (`streams=off`: always
    /// rescan).
    public var useStreams = true
    /// With a stream, how often to rescan the whole table anyway, as a safety net (default 10 min).
    public var rescanInterval = TimeSpan.minutes(10)
    /// How long one request may take before it fails (default 60 s, as boto3's read timeout).
    public var requestTimeout = TimeSpan.seconds(60)

    public init(table: String) { self.table = table }

    /// The option names a URL or config file may use.
    public static let optionNames: Set<String> = [
        "region", "endpoint", "profile", "key_attr", "sort_key_attr", "static_pk_value", "function", "expiry_attr",
        "in_progress_expiry_attr", "status_attr", "data_attr", "validation_key_attr", "segments", "poll",
        "expires_after", "audit", "consistent", "page_limit", "timeout", "streams", "rescan", "config",
    ]

    /// Parses `dynamodb://TABLE?name=value&...`.
    public init(url text: String) throws {
        guard text.hasPrefix("dynamodb://") else {
            throw DynamoError.usage("'\(text)' is not a dynamodb://TABLE?... store URL")
        }
        let rest = text.dropFirst("dynamodb://".count)
        let parts = rest.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let table = String(parts[0]).removingPercentEncoding ?? String(parts[0])
        guard !table.isEmpty, !table.contains("/") else {
            throw DynamoError.usage("'\(text)' names no table: use dynamodb://TABLE?region=R")
        }
        self.init(table: table)
        var options: [(String, String)] = []
        if parts.count > 1 {
            for pair in parts[1].split(separator: "&") where !pair.isEmpty {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = String(kv[0]).removingPercentEncoding ?? String(kv[0])
                let value = kv.count > 1 ? (String(kv[1]).removingPercentEncoding ?? String(kv[1])) : ""
                options.append((name, value))
            }
        }
        if let file = options.last(where: { $0.0 == "config" })?.1 {
            guard let body = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw DynamoError.usage("config=\(file): cannot read the file")
            }
            for (name, value) in DynamoTableConfig.parseConfigFile(body) { try apply(name, value) }
        }
        for (name, value) in options where name != "config" { try apply(name, value) }
    }

    /// `name = value` lines; `#` starts a comment; a `[section]` line is ignored.
    static func parseConfigFile(_ text: String) -> [(String, String)] {
        text.split(whereSeparator: \.isNewline).compactMap { raw in
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#"), !line.hasPrefix("["), let eq = line.firstIndex(of: "=") else {
                return nil
            }
            return (line[..<eq].trimmingCharacters(in: .whitespaces),
                    line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces))
        }
    }

    /// Sets one option, or says clearly what is wrong with it.
    mutating func apply(_ name: String, _ value: String) throws {
        func nonEmpty() throws -> String {
            guard !value.isEmpty else { throw DynamoError.usage("dynamodb option \(name)= needs a value") }
            return value
        }
        func span() throws -> TimeSpan {
            guard let s = TimeSpan(parsing: value), s.ms > 0 else {
                throw DynamoError.usage("dynamodb option \(name)= wants a duration such as 2s or 500ms, not '\(value)'")
            }
            return s
        }
        switch name {
        case "region": region = try nonEmpty()
        case "endpoint":
            guard let url = URL(string: value), url.scheme == "http" || url.scheme == "https", url.host != nil else {
                throw DynamoError.usage("dynamodb option endpoint= wants an http(s) URL, not '\(value)'")
            }
            endpoint = url
        case "profile": profile = try nonEmpty()
        case "key_attr": keyAttr = try nonEmpty()
        case "sort_key_attr": sortKeyAttr = try nonEmpty()
        case "static_pk_value": staticPKValue = try nonEmpty()
        case "function": staticPKValue = "idempotency#\(try nonEmpty())"
        case "expiry_attr": expiryAttr = try nonEmpty()
        case "in_progress_expiry_attr": inProgressExpiryAttr = try nonEmpty()
        case "status_attr": statusAttr = try nonEmpty()
        case "data_attr": dataAttr = try nonEmpty()
        case "validation_key_attr": validationKeyAttr = try nonEmpty()
        case "segments":
            guard let n = Int(value), (1...64).contains(n) else {
                throw DynamoError.usage("dynamodb option segments= wants 1 to 64, not '\(value)'")
            }
            segments = n
        case "page_limit":
            guard let n = Int(value), n > 0 else {
                throw DynamoError.usage("dynamodb option page_limit= wants a positive number, not '\(value)'")
            }
            pageLimit = n
        case "poll": pollInterval = try span()
        case "timeout": requestTimeout = try span()
        case "rescan": rescanInterval = try span()
        case "streams":
            switch value.lowercased() {
            case "auto", "on", "true", "1", "": useStreams = true
            case "off", "false", "0": useStreams = false
            default: throw DynamoError.usage("dynamodb option streams= wants auto or off, not '\(value)'")
            }
        case "expires_after": expiresAfter = try span()
        case "audit": auditPath = try nonEmpty()
        case "consistent": consistentRead = ["1", "true", "yes", ""].contains(value.lowercased())
        default:
            throw DynamoError.usage("unknown dynamodb option '\(name)' (known: \(DynamoTableConfig.optionNames.sorted().joined(separator: ", ")))")
        }
        if sortKeyAttr != nil, sortKeyAttr == keyAttr {
            throw DynamoError.usage("key_attr and sort_key_attr cannot be the same ('\(keyAttr)')")
        }
    }

    /// The endpoint to call: `endpoint=`, else `AWS_ENDPOINT_URL_DYNAMODB`, else `AWS_ENDPOINT_URL`, else AWS's.
    public func resolvedEndpoint(region: String, environment: [String: String]) throws -> URL {
        if let endpoint { return endpoint }
        for name in ["AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL"] {
            if let text = environment[name], !text.isEmpty {
                guard let url = URL(string: text), url.host != nil else {
                    throw DynamoError.usage("\(name)='\(text)' is not a URL")
                }
                return url
            }
        }
        guard let url = URL(string: "https://dynamodb.\(region).amazonaws.com/") else {
            throw DynamoError.usage("region '\(region)' makes no valid endpoint")
        }
        return url
    }
}
