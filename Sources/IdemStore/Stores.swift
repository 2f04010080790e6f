import Foundation
import IdemCore

/// Opens the store a `StoreLocation` names, of whichever kind it is.
public enum Stores {
    /// A reader over the store; `.readOnly` never writes, creates or locks the file for writing.
    public static func reader(_ location: StoreLocation, mode: OpenMode = .readOnly) throws -> any EventReader {
        if let open = StoreOpeners.shared.reader(location.kind) { return try open(location, mode) }
        try checkExisting(location.path)
        switch location.kind {
        case .journal: return try JournalReader(path: location.path)
        case .sqlite: return try SQLiteReader(path: location.path, mode: mode)
        case .dynamodb: throw StoreError.usage("this build of idemtop cannot open DynamoDB stores")
        }
    }

    /// A writer over the store, made when `create` is true and it does not exist yet.
    public static func writer(_ location: StoreLocation, policy: Policy, clock: any Clock,
                              create: Bool) throws -> any TokenWriter {
        if location.kind == .dynamodb {
            throw StoreError.usage("DynamoDB stores are written by Powertools; idemtop only reads and purges them")
        }
        if !create || FileManager.default.fileExists(atPath: location.path) { try checkExisting(location.path) }
        switch location.kind {
        case .journal: return try JournalWriter(path: location.path, policy: policy, clock: clock, create: create)
        case .sqlite: return try SQLiteWriter(path: location.path, policy: policy, clock: clock, create: create)
        case .dynamodb:
            throw StoreError.usage("DynamoDB stores are written by Powertools; idemtop only reads and purges them")
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

/// Openers for store kinds whose code lives outside this module (DynamoDB, in `IdemDynamo`, which depends on this
/// one): the executable registers them at start, and `Stores.reader` and `StoreOpeners.admin` use them.
public final class StoreOpeners: @unchecked Sendable {
    public typealias ReaderOpener = @Sendable (StoreLocation, OpenMode) throws -> any EventReader
    public typealias AdminOpener = @Sendable (StoreLocation) throws -> any TokenAdmin

    public static let shared = StoreOpeners()
    private let lock = NSLock()
    private var readers: [StoreKind: ReaderOpener] = [:]
    private var admins: [StoreKind: AdminOpener] = [:]

    /// Registers (or replaces) the openers for `kind`.
    public func register(_ kind: StoreKind, reader: @escaping ReaderOpener, admin: AdminOpener? = nil) {
        lock.withLock {
            readers[kind] = reader
            admins[kind] = admin
        }
    }

    public func reader(_ kind: StoreKind) -> ReaderOpener? { lock.withLock { readers[kind] } }
    public func adminOpener(_ kind: StoreKind) -> AdminOpener? { lock.withLock { admins[kind] } }

    /// The guarded-action side of a registered store kind.
    public func admin(_ location: StoreLocation) throws -> any TokenAdmin {
        guard let open = adminOpener(location.kind) else {
            throw StoreError.usage("no admin opener registered for \(location.kind.rawValue) stores")
        }
        return try open(location)
    }
}
