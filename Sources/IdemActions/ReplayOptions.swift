import Foundation
import IdemCore

/// What a replay sends, and how.
public struct ReplayOptions: Sendable {
    /// The base URL the stored path is appended to, e.g. `http://127.0.0.1:8080`.
    public var target: String
    /// Headers the operator supplies (`--header NAME:VALUE`): they replace stored ones, and re-supply secret ones.
    public var headers: [HeaderField]
    /// Seconds to wait for the answer.
    public var timeout: Double
    /// The header the original token travels in.
    public var idempotencyHeader: String
    /// Why, for the admin event.
    public var reason: String
    public var mask: SecretMask

    public init(target: String, headers: [HeaderField] = [], timeout: Double = 10,
                idempotencyHeader: String = "Idempotency-Key", reason: String = "replay",
                mask: SecretMask = SecretMask()) {
        self.target = target
        self.headers = headers
        self.timeout = timeout
        self.idempotencyHeader = idempotencyHeader
        self.reason = reason
        self.mask = mask
    }
}

/// One HTTP header line.
public struct HeaderField: Sendable, Hashable {
    public var name: String
    public var value: String
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// Parses `NAME:VALUE` (spaces after the colon dropped); nil without a colon or a name.
    public init?(parsing text: String) {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let name = text[..<colon].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, !name.contains(" ") else { return nil }
        self.init(name: name, value: text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces))
    }
}
