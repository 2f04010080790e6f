import Foundation

/// One DynamoDB item: attribute names to values.
public typealias Item = [String: AttributeValue]

/// A DynamoDB attribute value as the JSON API spells it (`{"S": "..."}`, `{"N": "12"}`, ...).
public indirect enum AttributeValue: Sendable, Hashable {
    case s(String)
    /// Numbers travel as decimal text.
    case n(String)
    /// Binary, base64 as sent.
    case b(String)
    case bool(Bool)
    case null
    case l([AttributeValue])
    case m([String: AttributeValue])
    case ss([String])
    case ns([String])
    case bs([String])

    /// The string of an `S` value.
    public var string: String? { if case .s(let v) = self { return v } else { return nil } }

    /// The integer of an `N` value (a decimal with a fraction is truncated toward zero).
    public var int64: Int64? {
        guard case .n(let v) = self else { return nil }
        if let i = Int64(v) { return i }
        return Double(v).flatMap { $0.isFinite ? Int64(exactly: $0.rounded(.towardZero)) : nil }
    }

    /// The JSON-API form.
    public var json: [String: Any] {
        switch self {
        case .s(let v): return ["S": v]
        case .n(let v): return ["N": v]
        case .b(let v): return ["B": v]
        case .bool(let v): return ["BOOL": v]
        case .null: return ["NULL": true]
        case .l(let v): return ["L": v.map(\.json)]
        case .m(let v): return ["M": v.mapValues(\.json)]
        case .ss(let v): return ["SS": v]
        case .ns(let v): return ["NS": v]
        case .bs(let v): return ["BS": v]
        }
    }

    /// Parses the JSON-API form.
    public init(json: Any) throws {
        guard let o = json as? [String: Any], o.count == 1, let (type, value) = o.first else {
            throw DynamoError.malformed("an attribute value is not a one-key object")
        }
        switch (type, value) {
        case ("S", let v as String): self = .s(v)
        case ("N", let v as String): self = .n(v)
        case ("B", let v as String): self = .b(v)
        case ("BOOL", let v as Bool): self = .bool(v)
        case ("NULL", _): self = .null
        case ("L", let v as [Any]): self = .l(try v.map(AttributeValue.init(json:)))
        case ("M", let v as [String: Any]): self = .m(try AttributeValue.item(fromJSON: v))
        case ("SS", let v as [String]): self = .ss(v)
        case ("NS", let v as [String]): self = .ns(v)
        case ("BS", let v as [String]): self = .bs(v)
        default: throw DynamoError.malformed("unknown attribute type '\(type)'")
        }
    }

    /// An item from its JSON-API form.
    public static func item(fromJSON o: [String: Any]) throws -> Item {
        var out = Item()
        for (k, v) in o { out[k] = try AttributeValue(json: v) }
        return out
    }

    /// An item's JSON-API form.
    public static func json(_ item: Item) -> [String: Any] { item.mapValues(\.json) }
}
