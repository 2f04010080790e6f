import Foundation
import IdemCore

/// The one JSON encoder of the headless commands: sorted keys (stable output across runs), slashes as they are.
public enum ReportJSON {
    /// `value` as JSON text; `pretty` indents it for reading.
    public static func encode<T: Encodable>(_ value: T, pretty: Bool = false) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
            : [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "null" }
        // JSONEncoder writes DEL, C1 controls, bidi overrides and U+2028 raw: escape them as \uXXXX.
        return Sanitizer.jsonSafe(String(decoding: data, as: UTF8.self))
    }
}

/// An optional report field that is written as `null` when it is nil, so the key is always there (scripts test
/// `.x == null` rather than whether the key exists).
@propertyWrapper
public struct Nullable<Value: Encodable & Sendable>: Encodable, Sendable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        if let v = wrappedValue { try c.encode(v) } else { try c.encodeNil() }
    }
}
