import Foundation
import IdemCore

/// A store kept in one local file, recognised by its extension: what the journal and SQLite drivers share (the
/// checks before opening, and the admin being the writer itself).
protocol FileStoreDriver: StoreDriver {
    static var kind: String { get }
    static var extensions: Set<String> { get }
    func openReader(_ path: String, mode: OpenMode) throws -> any EventReader
    func openWriter(_ path: String, policy: Policy, clock: any Clock, create: Bool) throws -> any TokenWriter & TokenAdmin
}

extension FileStoreDriver {
    public var kind: String { Self.kind }
    public var opensLocally: Bool { true }

    public func recognise(_ text: String) throws -> StoreLocation? {
        guard !text.contains("://"), Self.extensions.contains((text as NSString).pathExtension.lowercased()) else {
            return nil
        }
        return StoreLocation(kind: Self.kind, path: text)
    }

    public func reader(_ location: StoreLocation, mode: OpenMode) throws -> any EventReader {
        try FileStore.checkExisting(location.path)
        return try openReader(location.path, mode: mode)
    }

    public func admin(_ location: StoreLocation, policy: Policy, clock: any Clock) throws -> any TokenAdmin {
        try FileStore.checkExisting(location.path)
        return try openWriter(location.path, policy: policy, clock: clock, create: false)
    }

    public func writer(_ location: StoreLocation, policy: Policy, clock: any Clock,
                       create: Bool) throws -> any TokenWriter {
        if !create || FileManager.default.fileExists(atPath: location.path) { try FileStore.checkExisting(location.path) }
        return try openWriter(location.path, policy: policy, clock: clock, create: create)
    }
}

/// The JSON-lines journal: `*.jsonl`, `*.ndjson`, `*.journal`, or `journal:PATH`.
public struct JournalDriver: FileStoreDriver {
    public static let kind = "journal"
    static let extensions: Set<String> = ["jsonl", "ndjson", "journal"]
    public var locationHelp: String { "a .jsonl/.ndjson/.journal journal (or journal:PATH)" }
    public var entryNoun: String { "line(s)" }

    public init() {}

    /// The journal at `path`.
    public static func location(_ path: String) -> StoreLocation { StoreLocation(kind: kind, path: path) }

    func openReader(_ path: String, mode: OpenMode) throws -> any EventReader { try JournalReader(path: path) }

    func openWriter(_ path: String, policy: Policy, clock: any Clock,
                    create: Bool) throws -> any TokenWriter & TokenAdmin {
        try JournalWriter(path: path, policy: policy, clock: clock, create: create)
    }
}

/// The SQLite store: `*.db`, `*.sqlite`, `*.sqlite3`, or `sqlite:PATH`.
public struct SQLiteDriver: FileStoreDriver {
    public static let kind = "sqlite"
    static let extensions: Set<String> = ["db", "sqlite", "sqlite3"]
    public var locationHelp: String { "a .db/.sqlite/.sqlite3 SQLite file (or sqlite:PATH)" }
    public var entryNoun: String { "row(s)" }

    public init() {}

    /// The SQLite store at `path`.
    public static func location(_ path: String) -> StoreLocation { StoreLocation(kind: kind, path: path) }

    func openReader(_ path: String, mode: OpenMode) throws -> any EventReader { try SQLiteReader(path: path, mode: mode) }

    func openWriter(_ path: String, policy: Policy, clock: any Clock,
                    create: Bool) throws -> any TokenWriter & TokenAdmin {
        try SQLiteWriter(path: path, policy: policy, clock: clock, create: create)
    }
}

/// One clear error for a missing path or a directory, the same for every file store.
enum FileStore {
    static func checkExisting(_ path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw StoreError.notFound(path)
        }
        if isDirectory.boolValue { throw StoreError.notAStore(path: path, why: "it is a directory") }
    }
}
