import Foundation
import IdemCore
import IdemStore

/// Reads an idempotency-keys table as core events and follows it with no change to the server: a first pass in
/// pages by row id from one read-only snapshot, then, every poll interval, the rows whose `xmin` is at least the
/// last snapshot's (everything written since), and the whole key set when rows were deleted. A poll is skipped
/// when `pg_stat_user_tables` shows no insert, update or delete since the last look (but never for longer than
/// `rescan=`).
///
/// A broken connection (the server restarted) is a notice, not an error: each later poll tries to reconnect, and
/// once back it compares the whole table, so nothing is lost.
public final class PostgresReader: BatchReader {
    public let location: StoreLocation
    public let table: PostgresTable
    private let clock: any Clock
    /// The tracker, shared with a `PostgresAdmin` in this process through `PostgresTrackers`.
    let state: Locked<PostgresChangeTracker>
    private var pending: [StoreEvent] = []
    private var pendingStart = 0
    private var pendingMalformed: [MalformedEntry] = []
    private var notices: [String] = []
    private var timelines: [TokenKey: [StoreEvent]] = [:]
    /// The rows of one chunk or look, decoded (kept to reuse its room).
    private var decoded: [PostgresRow] = []
    /// Fingerprint texts of hashed requests, shared between rows with the same one.
    private let hexCache = PGHexCache()
    private var firstPassDone = false
    private var inFirstPass = false
    /// The first read failed: the next poll starts it again on a new connection.
    private var restartFirstRead = false
    private var lastXmin: Int64 = 0
    private var lastCounters: (writes: Int64, deletes: Int64) = (-2, -2)
    private var nextLook: Instant
    private var nextRescan: Instant
    private var rowsSeen: Int64 = 0
    private var disconnected = false
    public private(set) var progress: LoadProgress
    /// Polls that read the table (not skipped by the statistics check), for tests.
    public private(set) var looks = 0

    /// The table's row estimate with room to spare (`withHeadroom`), at most 20 million: a row is a token.
    public var expectedTokens: Int { PostgresReader.withHeadroom(Int(clamping: min(progress.total, 20_000_000))) }

    /// Room for `estimate` rows and 1/64 more. The estimate is ANALYZE's, from a sample of 30,000 rows: for the
    /// same million rows it came out between 999,949 and 1,000,058, so a reservation of exactly it was short about
    /// half the time, and the ledger's records and the seen table then doubled for the last few rows (a copy of a
    /// million 152-byte records held beside the old ones: peaks of 515 MiB instead of 370). Room reserved and
    /// never written costs address space, not memory.
    static func withHeadroom(_ estimate: Int) -> Int { estimate + estimate / 64 + 1024 }

    public init(location: StoreLocation, table: PostgresTable, clock: any Clock = SystemClock()) {
        self.location = location
        self.table = table
        self.clock = clock
        state = PostgresTrackers.fresh(for: location.path)
        nextLook = clock.now()
        nextRescan = clock.now()
        // The live-row count the statistics keep up as rows are written, when the table grew since its ANALYZE.
        let estimate = (try? table.connection.query(
            "SELECT greatest(c.reltuples, s.n_live_tup, 0)::int8 FROM pg_class c "
                + "LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.oid = $1::regclass",
            [table.config.qualifiedTable]).int64(0, 0)) ?? 0
        progress = LoadProgress(done: 0, total: estimate, unit: "rows")
        let rows = PostgresReader.withHeadroom(min(Int(clamping: estimate), 5_000_000))
        state.withLock { $0.reserve(rows) }
    }

    deinit { table.cancelFirstRead() }

    /// Opens `postgres://...?table=NAME&preset=P`.
    public convenience init(location: StoreLocation, clock: any Clock = SystemClock()) throws {
        let config = try PostgresDriver.config(location)
        let table = try PostgresDriver.wrap(location) { try PostgresTable(config: config) }
        self.init(location: location, table: table, clock: clock)
    }

    public func poll(limit: Int, _ sink: (StoreEvent) -> Void, malformed: (MalformedEntry) -> Void) throws -> Int {
        if pendingStart >= pending.count {
            pending.removeAll(keepingCapacity: true)
            pendingStart = 0
            try fill()
        }
        for m in pendingMalformed { malformed(m) }
        pendingMalformed.removeAll()
        let end = min(pending.count, pendingStart + max(0, limit))
        for i in pendingStart..<end { sink(pending[i]) }
        let n = end - pendingStart
        pendingStart = end
        return n
    }

    /// The same as `poll`, handing the events over as an array (a chunk's events move out whole, no copy each).
    public func pollBatch(limit: Int, malformed: (MalformedEntry) -> Void) throws -> [StoreEvent] {
        if pendingStart >= pending.count {
            pending.removeAll(keepingCapacity: true)
            pendingStart = 0
            try fill()
        }
        for m in pendingMalformed { malformed(m) }
        pendingMalformed.removeAll()
        if pendingStart == 0, pending.count <= limit {
            defer { pending = [] }
            pendingStart = 0
            return pending
        }
        let end = min(pending.count, pendingStart + max(0, limit))
        defer { pendingStart = end }
        return Array(pending[pendingStart..<end])
    }

    /// One page of the first pass, or one look for changes when it is due.
    private func fill() throws {
        if !firstPassDone {
            // Until some events come or the read ends: a chunk of rows already seen (a read started again after
            // a broken connection) or of malformed rows gives none, and an empty poll means "nothing more now".
            while !firstPassDone && pending.isEmpty {
                try PostgresDriver.wrap(location) { try firstPassPage() }
            }
            return
        }
        let now = clock.now()
        guard now >= nextLook else { return }
        nextLook = now + table.config.pollInterval
        do {
            if disconnected {
                try table.connection.reconnect()
                disconnected = false
                notices.append("reconnected to \(location.displayName): comparing the whole table")
                lastCounters = (-2, -2)
            }
            try look(at: now)
        } catch let e as PostgresError {
            if case .connectionLost = e {
                if !disconnected { notices.append("\(location.displayName): \(e); retrying every \(table.config.pollInterval.compact)") }
                disconnected = true
            } else if case .connect = e {
                disconnected = true
            } else {
                notices.append("\(location.displayName): \(e)")
            }
        }
    }

    private func firstPassPage() throws {
        if !inFirstPass {
            if restartFirstRead || !table.connection.isOK { try table.connection.reconnect() }
            restartFirstRead = false
            lastCounters = try table.changeCounters()
            try table.beginReadOnly()
            lastXmin = try table.snapshotXmin()
            table.startFirstRead()
            inFirstPass = true
        }
        let chunk: PostgresCopyStream.Chunk?
        do {
            chunk = try table.nextChunk()
        } catch {
            // The next poll starts the read again (rows seen already are skipped by their xmin).
            inFirstPass = false
            restartFirstRead = true
            throw error
        }
        let now = clock.now()
        if let chunk {
            apply(chunk, at: now)
            progress.done += Int64(chunk.count)
            return
        }
        try table.endTransaction()
        inFirstPass = false
        firstPassDone = true
        progress.total = progress.done
        nextLook = now + table.config.pollInterval
        nextRescan = now + table.config.rescanInterval
    }

    /// Decodes a chunk of the first read and turns it into events.
    private func apply(_ chunk: PostgresCopyStream.Chunk, at now: Instant) {
        let preset = table.config.preset, idCount = table.idCount, hashed = table.hashedFingerprint
        decoded.removeAll(keepingCapacity: true)
        chunk.bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var fields = PGCopyFields(base: base)
            for i in 0..<chunk.count {
                rowsSeen += 1
                let start = Int(chunk.starts[i]), end = Int(chunk.starts[i + 1])
                guard fields.locate(at: start, end: end) else {
                    pendingMalformed.append(MalformedEntry(position: rowsSeen, reason: "row \(rowsSeen): a COPY tuple that does not parse"))
                    continue
                }
                do {
                    decoded.append(try PostgresRow.decode(fields, idCount: idCount, preset: preset, hashedFingerprint: hashed,
                                                                 hexCache: hexCache))
                } catch {
                    pendingMalformed.append(MalformedEntry(position: rowsSeen, reason: "\(error)"))
                }
            }
        }
        observeDecoded(at: now, firstPass: true)
    }

    /// Reads what changed since the last look, unless the statistics say nothing did.
    private func look(at now: Instant) throws {
        let counters = try table.changeCounters()
        let unchanged = counters == lastCounters
        if unchanged && now < nextRescan { return }
        let deletesMoved = counters.deletes != lastCounters.deletes || now >= nextRescan
        looks += 1
        let (snap, rows, ids) = try table.readOnly { () throws -> (Int64, PGRows, Set<String>?) in
            let snap = try table.snapshotXmin()
            // The xid counter's lower half wrapped: compare every row (rare, and nothing is missed).
            let rows = try table.changed(since: snap < lastXmin ? 0 : lastXmin)
            return (snap, rows, deletesMoved ? try table.rowIDs() : nil)
        }
        apply(rows, at: now, firstPass: false)
        if let ids {
            let (events, notice) = state.withLock { $0.vanished(keeping: ids, at: now) }
            for e in events { emit(e) }
            if let notice { notices.append(notice) }
        }
        lastXmin = snap
        lastCounters = counters
        if now >= nextRescan { nextRescan = now + table.config.rescanInterval }
    }

    /// Decodes `rows` (a binary result of the select list) and turns them into events under the tracker's lock.
    private func apply(_ rows: PGRows, at now: Instant, firstPass: Bool) {
        decoded.removeAll(keepingCapacity: true)
        for r in 0..<rows.count {
            rowsSeen += 1
            do {
                decoded.append(try table.decode(rows, r, hexCache: hexCache))
            } catch {
                pendingMalformed.append(MalformedEntry(position: rowsSeen, reason: "\(error)"))
            }
        }
        observeDecoded(at: now, firstPass: firstPass)
    }

    private func observeDecoded(at now: Instant, firstPass: Bool) {
        // Straight into `pending` (no second copy of a page's events: 400 bytes each).
        let start = pending.count
        var events = pending
        pending = []
        // A new row is one or two events (executed, then completed or failed): no growing copies of the array.
        events.reserveCapacity(events.count + decoded.count * 2)
        state.withLock { tracker in
            for row in decoded { tracker.observe(row, at: now, firstPass: firstPass, into: &events) }
        }
        pending = events
        decoded.removeAll(keepingCapacity: true)
        if firstPassDone { for e in pending[start...] { timelines[e.key, default: []].append(e) } }
    }

    private func emit(_ e: StoreEvent) {
        pending.append(e)
        if firstPassDone { timelines[e.key, default: []].append(e) }
    }

    /// The row as it is now, with its bodies: the request (method, path, params) and the stored response.
    public func detail(for key: TokenKey) throws -> TokenDetail {
        let timeline = timelines[key] ?? []
        guard let rowID = state.withLock({ $0.known[key]?.rowID }) else {
            return TokenDetail(key: key, request: nil, response: nil, error: "no such row in the table now",
                               timeline: timeline)
        }
        let found = try PostgresDriver.wrap(location) { try table.bodies(rowID: rowID) }
        guard let (rows, i) = found else {
            return TokenDetail(key: key, request: nil, response: nil, error: "no such row in the table now",
                               timeline: timeline)
        }
        let row = try? table.decode(rows, i)
        let base = table.idCount + 13
        let requestBody = rows.string(i, base), responseBody = rows.string(i, base + 1)
        var request: StoredRequest?
        if let method = rows.string(i, table.idCount + 9) {
            request = StoredRequest(method: method, path: rows.string(i, table.idCount + 10) ?? "", headers: [:],
                                    body: requestBody)
        }
        var response: StoredResponse?
        if row?.stored == .completed || responseBody != nil, let body = responseBody {
            response = StoredResponse(status: row?.responseStatus ?? 200, body: body)
        }
        var events = timeline
        if events.isEmpty, let row {
            // Rows of the first pass keep no timeline (a million of them would not fit): it is what the row says.
            var fresh = PostgresChangeTracker()
            events = fresh.observe(row, at: clock.now(), firstPass: true)
        }
        return TokenDetail(key: key, request: request, response: response, error: nil, timeline: events)
    }

    public func drainNotices() -> [String] {
        defer { notices.removeAll() }
        return notices
    }
}
