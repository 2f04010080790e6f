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

    /// A URL stands for itself; a file is `kind:path`, which parses back to the same location.
    public var description: String { path.contains("://") ? path : "\(kind):\(path)" }
}

/// How a store is opened.
public enum OpenMode: Sendable, Hashable {
    /// Reading only: the file is never written, locked for writing, or created.
    case readOnly
    /// Reading and writing; `create` makes the store when it does not exist.
    case readWrite(create: Bool)

    public var canWrite: Bool { if case .readWrite = self { return true } else { return false } }
}
