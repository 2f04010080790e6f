import Foundation
import IdemCore

extension Stores {
    /// The guarded admin actions (purge, replay records) on an existing store: its writer for a journal or SQLite, the
/// registered opener's for DynamoDB.
    ///
    /// Opens the store for writing, so it is never called for a store opened `--read-only`; the actions layer
    /// refuses before it gets here.
    public static func admin(_ location: StoreLocation, policy: Policy = .standard,
                             clock: any Clock = SystemClock()) throws -> any TokenAdmin {
        if location.kind == .dynamodb { return try StoreOpeners.shared.admin(location) }
        try checkExisting(location.path)
        switch location.kind {
        case .journal: return try JournalWriter(path: location.path, policy: policy, clock: clock, create: false)
        case .sqlite: return try SQLiteWriter(path: location.path, policy: policy, clock: clock, create: false)
        case .dynamodb: return try StoreOpeners.shared.admin(location)
        }
    }
}
