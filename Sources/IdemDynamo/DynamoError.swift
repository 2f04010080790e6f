/// What can go wrong talking to DynamoDB, each one clear line; the store turns these into `StoreError`s.
public enum DynamoError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Still throttled after every retry (`ProvisionedThroughputExceededException`, `ThrottlingException`).
    case throttled(String)
    /// No credentials, expired ones, or ones DynamoDB does not know.
    case credentials(String)
    /// `ResourceNotFoundException`: no such table (in that region, at that endpoint).
    case tableNotFound(String)
    /// `AccessDeniedException`: the credentials may not do this.
    case accessDenied(String)
    /// `ConditionalCheckFailedException`: the item is not what the condition expected; `item` is what it holds now,
    /// when DynamoDB returned it.
    case conditionFailed(item: Item?)
    /// The endpoint could not be reached (connection refused, DNS, timeout).
    case connection(String)
    /// Any other error DynamoDB returned.
    case service(type: String, message: String)
    /// A response that is not the JSON DynamoDB sends.
    case malformed(String)
    /// A bad store URL or option.
    case usage(String)

    public var description: String {
        switch self {
        case .throttled(let m): return "throttled by DynamoDB after retries: \(m)"
        case .credentials(let m): return m
        case .tableNotFound(let m): return "table not found: \(m)"
        case .accessDenied(let m): return "access denied: \(m)"
        case .conditionFailed: return "the item changed (conditional check failed)"
        case .connection(let m): return "cannot reach DynamoDB: \(m)"
        case .service(let t, let m): return "DynamoDB error \(t): \(m)"
        case .malformed(let m): return "unexpected response from DynamoDB: \(m)"
        case .usage(let m): return m
        }
    }

    /// Whether a retry with backoff may help.
    var isRetryable: Bool { if case .throttled = self { return true } else { return false } }

    /// The error for an HTTP error status and DynamoDB's `{"__type": "...#Name", "message": "..."}` body.
    static func from(status: Int, body: [String: Any]?, table: String) -> DynamoError {
        let rawType = body?["__type"] as? String ?? "HTTP \(status)"
        let type = rawType.split(separator: "#").last.map(String.init) ?? rawType
        let message = (body?["message"] as? String) ?? (body?["Message"] as? String) ?? "HTTP \(status)"
        switch type {
        case "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
             "LimitExceededException", "InternalServerError", "ServiceUnavailable":
            return .throttled("\(type): \(message)")
        case "ResourceNotFoundException": return .tableNotFound("'\(table)' (\(message))")
        case "AccessDeniedException": return .accessDenied(message)
        case "ExpiredTokenException", "ExpiredToken":
            return .credentials("the AWS credentials have expired (\(type)): refresh them, e.g. aws sso login")
        case "UnrecognizedClientException", "InvalidSignatureException", "MissingAuthenticationTokenException",
             "IncompleteSignatureException":
            return .credentials("DynamoDB refused the credentials (\(type)): \(message)")
        case "ConditionalCheckFailedException":
            let item = (body?["Item"] as? [String: Any]).flatMap { try? AttributeValue.item(fromJSON: $0) }
            return .conditionFailed(item: item)
        default:
            if status >= 500 { return .throttled("HTTP \(status) \(type): \(message)") }
            return .service(type: type, message: message)
        }
    }
}
