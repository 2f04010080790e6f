import Foundation
import IdemCore

/// Opens the store a `StoreLocation` names, of whichever kind it is.
public enum Stores {
    /// A reader over the store; `.readOnly` never writes, creates or locks the file for writing.
    public static func reader(_ location: StoreLocation, mode: OpenMode = .readOnly) throws -> any EventReader {
        try checkExisting(location.path)
        switch location.kind {
        case .journal: return try JournalReader(path: location.path)
        case .sqlite: return try SQLiteReader(path: location.path, mode: mode)
        }
    }

    /// A writer over the store, made when `create` is true and it does not exist yet.
    public static func writer(_ location: StoreLocation, policy: Policy, clock: any Clock,
                              create: Bool) throws -> any TokenWriter {
        if !create || FileManager.default.fileExists(atPath: location.path) { try checkExisting(location.path) }
        switch location.kind {
        case .journal: return try JournalWriter(path: location.path, policy: policy, clock: clock, create: create)
        case .sqlite: return try SQLiteWriter(path: location.path, policy: policy, clock: clock, create: create)
        }
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
