import Foundation

/// Masks secrets in stored requests and responses before they are shown: headers such as `Authorization` and JSON
/// fields such as `card_number`. Matching ignores case, `-` and `_`.
public struct SecretMask: Sendable, Hashable {
    /// Header and field names whose values are hidden.
    public var names: Set<String>

    public static let defaultNames = [
        "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api_key", "apikey",
        "card_number", "cardnumber", "pan", "cvc", "cvv", "password", "secret", "client_secret", "token_secret",
        "iban", "account_number",
    ]

    /// What a masked object or array shows.
    public static let hidden = "****"

    public init(names: [String] = SecretMask.defaultNames) {
        self.names = Set(names.map(SecretMask.normalise))
    }

    /// The standard names plus `extra` (the config file's `secret_fields`, `--secret`): what the dashboard and
    /// every command mask alike.
    public static func standard(adding extra: [String]) -> SecretMask {
        SecretMask(names: defaultNames + extra)
    }

    static func normalise(_ name: String) -> String {
        String(name.lowercased().filter { $0 != "-" && $0 != "_" })
    }

    public func isSecret(_ name: String) -> Bool { names.contains(SecretMask.normalise(name)) }

    /// A value's masked form: a hint of its shape (`Bearer ****`, `****4242`), never the secret itself.
    public func mask(_ value: String) -> String {
        let digits = value.filter(\.isNumber)
        if digits.count >= 12, digits.count == value.filter({ $0 != " " && $0 != "-" }).count {
            return "****" + String(digits.suffix(4))
        }
        if let space = value.firstIndex(of: " "), value[..<space].count <= 10, value[..<space].allSatisfy(\.isLetter) {
            return String(value[..<space]) + " ****"
        }
        return "****"
    }

    /// Headers with secret values masked, sorted by name.
    public func headers(_ headers: [String: String]) -> [(String, String)] {
        headers.sorted { $0.key.lowercased() < $1.key.lowercased() }.map { k, v in (k, isSecret(k) ? mask(v) : v) }
    }

    /// A body pretty-printed (JSON: sorted keys, two-space indent) with secret fields masked; other text unchanged.
    public func body(_ text: String) -> String {
        guard let data = text.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        else { return text }
        let masked = maskJSON(object)
        guard let out = try? JSONSerialization.data(
            withJSONObject: masked, options: [.prettyPrinted, .sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])
        else { return text }
        return String(decoding: out, as: UTF8.self)
    }

    func maskJSON(_ value: Any) -> Any {
        if let dict = value as? [String: Any] {
            var out: [String: Any] = [:]
            for (k, v) in dict {
                if isSecret(k) {
                    // An object or array under a secret name is hidden whole: its parts are secret too.
                    out[k] = v is [String: Any] || v is [Any] ? SecretMask.hidden : mask((v as? String) ?? "\(v)")
                } else {
                    out[k] = maskJSON(v)
                }
            }
            return out
        }
        if let array = value as? [Any] { return array.map(maskJSON) }
        return value
    }
}
