import Foundation
import IdemCore

/// Encodes and decodes the JSON text of the `request` and `response` columns.
///
/// `StoredRequest` is `{"body":…,"headers":{…},"method":…,"path":…}` and `StoredResponse`
/// `{"body":…,"headers":{…},"status":…}`, keys sorted, `body` left out when there is none. Reading is lenient
/// about what another writer may leave out: `headers` may be missing or null. Owned by one reader or writer (the Foundation
/// coders are not shared across tasks).
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

    /// The request a JSON text holds, or nil when it is not the expected shape.
    func decode(_ type: StoredRequest.Type, from text: String) -> StoredRequest? {
        guard let r = try? decoder.decode(RequestJSON.self, from: Data(text.utf8)) else { return nil }
        return StoredRequest(method: r.method, path: r.path, headers: r.headers ?? [:], body: r.body)
    }

    /// The response a JSON text holds, or nil when it is not the expected shape.
    func decode(_ type: StoredResponse.Type, from text: String) -> StoredResponse? {
        guard let r = try? decoder.decode(ResponseJSON.self, from: Data(text.utf8)) else { return nil }
        return StoredResponse(status: r.status, headers: r.headers ?? [:], body: r.body)
    }

    private struct RequestJSON: Decodable {
        var method: String
        var path: String
        var headers: [String: String]?
        var body: String?
    }

    private struct ResponseJSON: Decodable {
        var status: Int
        var headers: [String: String]?
        var body: String?
    }
}
