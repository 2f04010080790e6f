import Foundation
import IdemCore

/// Writes many already-decided events into a SQLite store in one transaction: for benchmarks, fixtures and imports.
///
/// Unlike `SQLiteWriter` it applies no `Decision`: each event is inserted as given and folded into its token row
/// with the same SQL the writer uses, so the token table still equals the fold of the event table.
public final class SQLiteBulkLoader {
    public let path: String
    private let db: SQLiteConnection
    private let json = SQLiteJSON()

    /// Opens (and with `create`, makes) the store at `path` for writing.
    public init(path: String, create: Bool) throws {
        self.path = path
        db = try SQLiteSchema.open(path: path, mode: .readWrite(create: create))
        // Token rows are updated in key order, not file order: a page cache of 256 MiB (SQLite's default is 2 MiB)
        // keeps the primary-key index in memory for a million tokens.
        try db.execute("PRAGMA cache_size=-262144")
    }

    /// Inserts every event of `events` in order inside one `BEGIN IMMEDIATE` transaction, updating token rows as
    /// it goes. Returns the number of events written; nothing is written when it throws.
    @discardableResult
    public func load<S: Sequence>(_ events: S) throws -> Int where S.Element == StoreEvent {
        try db.transaction(immediate: true) {
            var count = 0
            for event in events {
                try SQLiteTokenRow.record(event, db: db, json: json)
                count += 1
            }
            return count
        }
    }

    /// The connection, for fixtures that need a raw statement (a test inserting a malformed row).
    public var connection: SQLiteConnection { db }
}
