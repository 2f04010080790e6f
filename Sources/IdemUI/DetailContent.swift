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

/// Which fields are secret: header names and JSON keys whose values are masked on screen.
///
/// Built on the core's `SecretMask`, so the dashboard and the headless commands mask the same names the same way
/// (case, `-` and `_` ignored; the mask hints at the shape: `****4242`, `Bearer ****`).
public struct SecretFields: Sendable, Hashable {
    public var mask: SecretMask

    public init(names: [String]) { mask = SecretMask(names: names) }
    public init(mask: SecretMask) { self.mask = mask }

    public static let standard = SecretFields(names: SecretMask.defaultNames)

    /// Adds names from a comma-separated list.
    public func adding(_ list: String) -> SecretFields {
        var out = self
        for name in list.split(separator: ",").map({ $0.trimmingSpaces }) where !name.isEmpty {
            out.mask.names.insert(SecretMask(names: [name]).names.first ?? name)
        }
        return out
    }

    public func isSecretHeader(_ name: String) -> Bool { mask.isSecret(name) }
    public func isSecretKey(_ name: String) -> Bool { mask.isSecret(name) }

    /// What a masked value shows.
    public func masked(_ value: String) -> String { mask.mask(value) }

    /// What a masked object or array shows.
    public static let hidden = SecretMask.hidden
}
