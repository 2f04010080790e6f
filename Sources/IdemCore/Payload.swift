/// The request a token was first used with, as the store keeps it (bodies are text, usually JSON).
public struct StoredRequest: Hashable, Sendable, Codable {
    public var method: String
    public var path: String
    public var headers: [String: String]
    public var body: String?

    public init(method: String, path: String, headers: [String: String] = [:], body: String? = nil) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
    }
}

/// The response stored for a token and replayed to duplicates.
public struct StoredResponse: Hashable, Sendable, Codable {
    public var status: Int
    public var headers: [String: String]
    public var body: String?

    public init(status: Int, headers: [String: String] = [:], body: String? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
