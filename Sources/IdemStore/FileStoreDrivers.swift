import Foundation
import IdemCore

/// The JSON-lines journal: `*.jsonl`, `*.ndjson`, `*.journal`, or `journal:PATH`.
public struct JournalDriver: StoreDriver {
    public static let kind = "journal"
    public var kind: String { JournalDriver.kind }
    public var locationHelp: String { "a .jsonl/.ndjson/.journal journal (or journal:PATH)" }
    public var entryNoun: String { "line(s)" }
    static let extensions: Set<String> = ["jsonl", "ndjson", "journal"]

    public init() {}

    /// The journal at `path`.
    public static func location(_ path: String) -> StoreLocation { StoreLocation(kind: kind, path: path) }

    public func recognise(_ text: String) throws -> StoreLocation? {
        FileStore.hasExtension(text, in: JournalDriver.extensions) ? JournalDriver.location(text) : nil
    }

    public func reader(_ location: StoreLocation, mode: OpenMode) throws -> any EventReader {
        try FileStore.checkExisting(location.path)
        return try JournalReader(path: location.path)
    }

    public func admin(_ location: StoreLocation, policy: Policy, clock: any Clock) throws -> any TokenAdmin {
        try FileStore.checkExisting(location.path)
        return try JournalWriter(path: location.path, policy: policy, clock: clock, create: false)
    }

    public func writer(_ location: StoreLocation, policy: Policy, clock: any Clock,
                       create: Bool) throws -> any TokenWriter {
        if !create || FileManager.default.fileExists(atPath: location.path) { try FileStore.checkExisting(location.path) }
        return try JournalWriter(path: location.path, policy: policy, clock: clock, create: create)
    }
}

/// The SQLite store: `*.db`, `*.sqlite`, `*.sqlite3`, or `sqlite:PATH`.
public struct SQLiteDriver: StoreDriver {
    public static let kind = "sqlite"
    public var kind: String { SQLiteDriver.kind }
    public var locationHelp: String { "a .db/.sqlite/.sqlite3 SQLite file (or sqlite:PATH)" }
    public var entryNoun: String { "row(s)" }
    static let extensions: Set<String> = ["db", "sqlite", "sqlite3"]

    public init() {}

    /// The SQLite store at `path`.
    public static func location(_ path: String) -> StoreLocation { StoreLocation(kind: kind, path: path) }

    public func recognise(_ text: String) throws -> StoreLocation? {
        FileStore.hasExtension(text, in: SQLiteDriver.extensions) ? SQLiteDriver.location(text) : nil
    }

    public func reader(_ location: StoreLocation, mode: OpenMode) throws -> any EventReader {
        try FileStore.checkExisting(location.path)
        return try SQLiteReader(path: location.path, mode: mode)
    }

    public func admin(_ location: StoreLocation, policy: Policy, clock: any Clock) throws -> any TokenAdmin {
        try FileStore.checkExisting(location.path)
        return try SQLiteWriter(path: location.path, policy: policy, clock: clock, create: false)
    }

    public func writer(_ location: StoreLocation, policy: Policy, clock: any Clock,
                       create: Bool) throws -> any TokenWriter {
        if !create || FileManager.default.fileExists(atPath: location.path) { try FileStore.checkExisting(location.path) }
        return try SQLiteWriter(path: location.path, policy: policy, clock: clock, create: create)
    }
}

/// What the file drivers share: recognising a name by its extension, and one error for what is not a file.
enum FileStore {
    static func hasExtension(_ text: String, in extensions: Set<String>) -> Bool {
        !text.contains("://") && extensions.contains((text as NSString).pathExtension.lowercased())
    }

    /// One clear error for a missing path or a directory, the same for every kind.
    static func checkExisting(_ path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw StoreError.notFound(path)
        }
        if isDirectory.boolValue { throw StoreError.notAStore(path: path, why: "it is a directory") }
    }
}
