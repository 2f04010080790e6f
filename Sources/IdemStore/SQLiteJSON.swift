import Foundation
import IdemCore

/// Encodes and decodes the JSON text of the `request` and `response` columns.
///
/// `StoredRequest` is `{"body":…,"headers":{…},"method":…,"path":…}` and `StoredResponse`
/// `{"body":…,"headers":{…},"status":…}`, keys sorted, `body` left out when there is none. Owned by one reader or
/// writer (the Foundation coders are not shared across tasks).
final class SQLiteJSON {
    private let encoder: JSONEncoder
    private let decoder = JSONDecoder()

    init() {
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    /// The JSON text of a value (these types always encode).
    func encode<T: Encodable>(_ value: T) -> String {
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// The value a JSON text holds, or nil when it is not the expected shape.
    func decode<T: Decodable>(_ type: T.Type, from text: String) -> T? {
        try? decoder.decode(type, from: Data(text.utf8))
    }
}
