import Foundation

/// A store named on the command line, as a driver recognised it: the driver's kind name and what it opens.
///
/// `path` is a file path for the file stores and the whole URL for a network store (`dynamodb://TABLE?...`);
/// `displayName` is what the dashboard's header and messages call it (a file's last component, a table's name).
public struct StoreLocation: Sendable, Hashable, CustomStringConvertible {
    /// The name of the driver that opens it (`journal`, `sqlite`, `dynamodb`, ...).
    public var kind: String
    public var path: String
    public var displayName: String

    public init(kind: String, path: String, displayName: String? = nil) {
        self.kind = kind
        self.path = path
        self.displayName = displayName ?? (path as NSString).lastPathComponent
    }

    /// A URL stands for itself, with any password in it masked (`postgres://app:***@db/payments`); a file is
    /// `kind:path`, which parses back to the same location.
    public var description: String { path.contains("://") ? StoreLocation.maskingPassword(path) : "\(kind):\(path)" }

    /// `scheme://user:secret@host/...` as `scheme://user:***@host/...`: what every message and report prints, so a
    /// password someone put in a URL never reaches a terminal, a log or a CSV file. Other URLs are unchanged.
    public static func maskingPassword(_ url: String) -> String {
        guard let scheme = url.range(of: "://") else { return url }
        let rest = url[scheme.upperBound...]
        // The authority ends at the first '/', '?' or '#'; the userinfo is what comes before its last '@'.
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") else { return url }
        return String(url[..<rest.index(after: colon)]) + "***" + String(url[at...])
    }
}

/// How a store is opened.
public enum OpenMode: Sendable, Hashable {
    /// Reading only: the file is never written, locked for writing, or created.
    case readOnly
    /// Reading and writing; `create` makes the store when it does not exist.
    case readWrite(create: Bool)

    public var canWrite: Bool { if case .readWrite = self { return true } else { return false } }
}
