import Foundation
import IdemCore

extension Stores {
    /// A writer over an existing store that also takes the guarded admin actions (purge, replay records).
    ///
    /// Opens the store for writing, so it is never called for a store opened `--read-only`; the actions layer
    /// refuses before it gets here.
    public static func admin(_ location: StoreLocation, policy: Policy = .standard,
                             clock: any Clock = SystemClock()) throws -> any TokenWriter & TokenAdmin {
        try checkExisting(location.path)
        switch location.kind {
        case .journal: return try JournalWriter(path: location.path, policy: policy, clock: clock, create: false)
        case .sqlite: return try SQLiteWriter(path: location.path, policy: policy, clock: clock, create: false)
        }
    }
}
