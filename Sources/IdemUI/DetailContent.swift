import IdemCore

/// Everything the detail view shows on one token, as the run loop loaded it from the store.
///
/// Mirrors the store's `TokenDetail` (the UI does not depend on the stores).
public struct DetailContent: Sendable, Hashable {
    public var key: TokenKey
    public var request: StoredRequest?
    public var response: StoredResponse?
    public var error: String?
    /// Every event with this token, oldest first.
    public var timeline: [StoreEvent]

    public init(key: TokenKey, request: StoredRequest?, response: StoredResponse?, error: String?,
                timeline: [StoreEvent]) {
        self.key = key
        self.request = request
        self.response = response
        self.error = error
        self.timeline = timeline
    }
}

/// A run of text in one role; a line of the detail view is a list of them.
public struct Span: Sendable, Hashable {
    public var text: String
    public var role: Role
    public init(_ text: String, _ role: Role = .normal) {
        self.text = text
        self.role = role
    }
}

/// Which fields are secret: header names and JSON keys whose values are masked on screen (case-insensitive).
public struct SecretFields: Sendable, Hashable {
    public var headers: Set<String>
    public var jsonKeys: Set<String>

    public init(headers: [String], jsonKeys: [String]) {
        self.headers = Set(headers.map { $0.lowercased() })
        self.jsonKeys = Set(jsonKeys.map { $0.lowercased() })
    }

    public static let standard = SecretFields(
        headers: ["Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key"],
        jsonKeys: ["card_number", "cardNumber", "cvc", "cvv", "password", "secret", "api_key", "token_secret",
                   "access_token", "refresh_token"])

    /// Adds names from a comma-separated list: each is masked both as a header and as a JSON key.
    public func adding(_ list: String) -> SecretFields {
        var out = self
        for name in list.split(separator: ",").map({ $0.trimmingSpaces.lowercased() }) where !name.isEmpty {
            out.headers.insert(name)
            out.jsonKeys.insert(name)
        }
        return out
    }

    public func isSecretHeader(_ name: String) -> Bool { headers.contains(name.lowercased()) }
    public func isSecretKey(_ name: String) -> Bool { jsonKeys.contains(name.lowercased()) }

    /// What a masked value shows.
    public static let mask = "••••••••"
}
