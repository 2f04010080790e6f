import IdemCore

/// The change tracker of the latest reader of each Postgres location in this process, so that an admin opened
/// on the same location deletes a row only while it still has the `xmin` the operator's view was built from.
///
/// A process-wide table because the reader and the admin are opened separately (the dashboard's feed and its
/// actions); a reader opened later for the same location replaces the entry.
enum PostgresTrackers {
    private static let table = Locked<[String: Locked<PostgresChangeTracker>]>([:])

    /// A new tracker for a reader of `path`, replacing the one before.
    static func fresh(for path: String) -> Locked<PostgresChangeTracker> {
        let tracker = Locked(PostgresChangeTracker())
        table.withLock { $0[path] = tracker }
        return tracker
    }

    /// The tracker of the latest reader of `path`, nil when none was opened in this process.
    static func current(for path: String) -> Locked<PostgresChangeTracker>? {
        table.withLock { $0[path] }
    }
}
