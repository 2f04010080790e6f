import Foundation
import IdemCore

/// Reads a SQLite store's events in `seq` order and follows it as writers append, on its own connection.
///
/// In WAL mode a reader never blocks a writer. Polling is cheap when idle: once a poll has read everything, the next
/// one first compares `PRAGMA data_version` (which changes when another connection commits) and skips the query when
/// nothing was committed. Event rows are read without their request/response bodies; `detail(for:)` reads those.
///
/// A WAL store in a folder this process cannot write, with no writer running, can only be opened as an immutable
/// snapshot (SQLite cannot make its `-shm` file). The reader says so in a notice and keeps looking, once a poll: as
/// soon as a writer has made the `-shm` file it reopens read-only (SQLite reads another process's `-shm` it cannot
/// write) and follows the store live from where it was; while none has, a changed file is read again as a new
/// snapshot; and when the `-shm` file it follows through goes (the writer closed the store), it reopens again.
public final class SQLiteReader: EventReader {
    public let location: StoreLocation
    public let mode: OpenMode
    private var db: SQLiteConnection
    /// The store file as it was when the snapshot was taken (nil unless reading a snapshot).
    private var snapshotOf: FileStamp?
    /// The inode of the `-shm` file followed through after a snapshot (0 if it went at once; nil unless the reader
    /// came out of a snapshot).
    private var followedShm: UInt64?
    private let json = SQLiteJSON()
    /// The highest seq handed out or skipped as malformed.
    public private(set) var lastSeq: Int64 = 0
    /// `max(seq)` when the reader opened: the end of the first load.
    private let totalAtOpen: Int64
    /// `data_version` read just before the last query that found nothing more; nil when the last poll hit its limit.
    private var idleDataVersion: Int64?
    private var notices: [String] = []
    /// How many polls `data_version` answered without a query (idle polling), for tests and diagnostics.
    public private(set) var idleSkips = 0
    private let busyTimeout: Int32

    /// Opens the store at `path`; `.readOnly` opens it with a read-only URI and never writes to it.
    public init(path: String, mode: OpenMode = .readOnly, busyTimeout: Int32 = SQLiteSchema.defaultBusyTimeout) throws {
        location = SQLiteDriver.location(path)
        self.mode = mode
        self.busyTimeout = busyTimeout
        db = try SQLiteSchema.open(path: path, mode: mode, busyTimeout: busyTimeout)
        totalAtOpen = try db.scalarInt("SELECT max(seq) FROM idem_events") ?? 0
        if db.access == .snapshot {
            snapshotOf = FileStamp(path)
            notices.append("\(path): read as a snapshot (the folder is not writable and no writer has the store open): "
                           + "new events show when a writer opens or changes it")
        }
    }

    /// True while the store is read as an immutable snapshot: events written meanwhile do not show yet.
    public var isSnapshot: Bool { db.access == .snapshot }

    /// Reading a snapshot: follows live once a writer has made the `-shm` file, or takes a new snapshot of a
    /// changed file; following after a snapshot: reopens when the `-shm` file went or was made anew. A failed reopen
    /// leaves the connection as it was, to try again at the next poll.
    private func lookPastSnapshot() {
        let path = location.path
        let shm = FileStamp(path + "-shm")
        if let followed = followedShm {
            guard shm?.inode ?? 0 != followed else { return }
        } else {
            guard shm != nil || FileStamp(path) != snapshotOf else { return }
        }
        guard let next = try? SQLiteSchema.open(path: path, mode: .readOnly, busyTimeout: busyTimeout) else { return }
        db = next
        idleDataVersion = nil
        let live = next.access != .snapshot
        snapshotOf = live ? nil : FileStamp(path)
        followedShm = live ? (shm ?? FileStamp(path + "-shm"))?.inode ?? 0 : nil
    }

    /// Goes on after `seq`: the events up to it were taken in another way (the token table, `SQLiteTokenTable`),
    /// so the next poll reads only what was written since.
    public func skip(to seq: Int64) {
        if seq > lastSeq { lastSeq = seq }
    }

    /// Rows (by seq) read so far against `max(seq)` at open.
    public var progress: LoadProgress {
        LoadProgress(done: min(lastSeq, totalAtOpen), total: totalAtOpen, unit: "rows")
    }

    private func dataVersion() throws -> Int64 {
        try db.scalarInt("PRAGMA data_version") ?? 0
    }

    /// Reads up to `limit` rows with `seq` greater than the last one read, oldest first, and returns how many it
    /// read: events handed to `sink` plus malformed rows reported and skipped (so a batch of bad rows is not taken
    /// for the end).
    public func poll(limit: Int, _ sink: (StoreEvent) -> Void, malformed: (MalformedEntry) -> Void) throws -> Int {
        guard limit > 0 else { return 0 }
        if snapshotOf != nil || followedShm != nil { lookPastSnapshot() }
        // Read the version before the query: a commit landing after it changes it and is seen next time.
        let version = try dataVersion()
        if let idle = idleDataVersion, idle == version {
            idleSkips += 1
            return 0
        }
        let s = try db.cached(SQLiteEventRow.pollSQL)
        defer { s.reset() }
        try s.bind(1, lastSeq)
        try s.bind(2, Int64(limit))
        var rows = 0
        while try s.step() {
            rows += 1
            do {
                let event = try SQLiteEventRow.decode(s, json: nil)
                lastSeq = event.seq
                sink(event)
            } catch {
                if error.seq > lastSeq { lastSeq = error.seq }
                malformed(error.entry)
            }
        }
        idleDataVersion = rows < limit ? version : nil
        return rows
    }

    /// The token row's request, response and error, and every event of the token with bodies, oldest first.
    public func detail(for key: TokenKey) throws -> TokenDetail {
        var request: StoredRequest?
        var response: StoredResponse?
        var error: String?
        var found = false
        let row = try db.cached("SELECT request, response, error FROM idem_tokens WHERE tenant = ?1 AND token = ?2")
        try row.bind(1, key.tenant)
        try row.bind(2, key.token)
        if try row.step() {
            found = true
            request = row.text(0).flatMap { json.decode(StoredRequest.self, from: $0) }
            response = row.text(1).flatMap { json.decode(StoredResponse.self, from: $0) }
            error = row.text(2)
        }
        row.reset()

        var timeline: [StoreEvent] = []
        let events = try db.cached(SQLiteEventRow.timelineSQL)
        defer { events.reset() }
        try events.bind(1, key.tenant)
        try events.bind(2, key.token)
        while try events.step() {
            // Malformed rows were reported by poll; the timeline shows what can be read.
            if let event = try? SQLiteEventRow.decode(events, json: json) { timeline.append(event) }
        }
        guard found || !timeline.isEmpty else { throw StoreError.unknownToken(key) }
        return TokenDetail(key: key, request: request, response: response, error: error, timeline: timeline)
    }

    /// One-line notices: for now only that the store is read as a snapshot (see `SQLiteConnection.Access.snapshot`).
    public func drainNotices() -> [String] {
        defer { notices.removeAll() }
        return notices
    }
}

/// What a file's `stat` says of it (inode, size, modification time): a changed stamp means a changed file.
struct FileStamp: Hashable {
    var inode: UInt64
    var size: Int64
    var modified: Int64

    /// Nil when the file cannot be looked at.
    init?(_ path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        inode = UInt64(st.st_ino)
        size = Int64(st.st_size)
        modified = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
    }
}
