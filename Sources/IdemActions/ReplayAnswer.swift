import Foundation

/// The answer to a replayed request.
public struct ReplayAnswer: Sendable, Hashable {
    public var status: Int
    public var headers: [String: String]
    public var body: String?
    public var elapsedMs: Int

    public init(status: Int, headers: [String: String], body: String?, elapsedMs: Int) {
        self.status = status
        self.headers = headers
        self.body = body
        self.elapsedMs = elapsedMs
    }

    /// A header's value, whatever the case of its name.
    public func header(_ name: String) -> String? {
        headers.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}
