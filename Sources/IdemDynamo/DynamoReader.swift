import Foundation
import IdemCore
import IdemStore

/// Reads a Powertools idempotency table as core events: a first parallel-segment scan, then, every `poll`, either
/// the table's DynamoDB stream (when it has one with new images) or a rescan, reporting what changed (see
/// `DynamoChangeTracker`). With a stream the table is still rescanned every `rescan` interval as a safety net.
///
/// `poll` never waits for the interval: before it is due it returns 0. Throttling past the client's retries during
/// a rescan is a notice and a longer interval (doubled, with jitter, up to a minute) rather than an error.
public final class DynamoReader: EventReader {
    public let location: StoreLocation
    public let table: DynamoTable
    private let clock: any Clock
    private var tracker: DynamoChangeTracker
    private var pending: [StoreEvent] = []
    private var pendingStart = 0
    private var pendingMalformed: [MalformedEntry] = []
    private var notices: [String] = []
    private var timelines: [TokenKey: [StoreEvent]] = [:]
    private var ids: [TokenKey: String] = [:]
    private var pass: ScanPass?
    private var firstPassDone = false
    private var nextPassAt: Instant
    private var interval: TimeSpan
    private var itemsSeen: Int64 = 0
    public private(set) var progress: LoadProgress
    private var stream: DynamoStream?
    /// Whether changes come from the stream now (false: by rescanning).
    public private(set) var followingStream = false
    private var nextRescanAt: Instant
    /// Whole passes through the table so far (the first scan and every rescan).
    public private(set) var passes = 0

    /// Where one scan through the table is: each segment's next start key, and the ids seen so far.
    struct ScanPass {
        var cursors: [Item?]
        var done: [Bool]
        var seen: Set<String> = []
        init(segments: Int) {
            cursors = Array(repeating: nil, count: segments)
            done = Array(repeating: false, count: segments)
        }
    }

    public init(location: StoreLocation, table: DynamoTable, clock: any Clock = SystemClock()) {
        self.location = location
        self.table = table
        self.clock = clock
        tracker = DynamoChangeTracker(expiresAfter: table.config.expiresAfter)
        interval = table.config.pollInterval
        nextPassAt = clock.now()
        nextRescanAt = clock.now()
        progress = LoadProgress(done: 0, total: table.approximateItemCount, unit: "items")
    }

    /// Opens `dynamodb://TABLE?...`.
    public convenience init(location: StoreLocation, clock: any Clock = SystemClock()) throws {
        let config = try DynamoDriver.config(location)
        let table = try DynamoDriver.wrap(location) { try DynamoTable(config: config, clock: clock) }
        self.init(location: location, table: table, clock: clock)
    }

    public func poll(limit: Int, _ sink: (StoreEvent) -> Void, malformed: (MalformedEntry) -> Void) throws -> Int {
        for m in pendingMalformed { malformed(m) }
        pendingMalformed.removeAll()
        if pendingStart >= pending.count {
            pending.removeAll(keepingCapacity: true)
            pendingStart = 0
            try DynamoDriver.wrap(location) { try fill() }
            for m in pendingMalformed { malformed(m) }
            pendingMalformed.removeAll()
        }
        let end = min(pending.count, pendingStart + max(0, limit))
        for i in pendingStart..<end { sink(pending[i]) }
        let n = end - pendingStart
        pendingStart = end
        return n
    }

    /// Runs scan rounds until there are events, the pass ends, or (after the first pass) one round is done.
    private func fill() throws {
        let now = clock.now()
        // Not before the next look is due: the poll interval after a pass, or the backoff after throttling.
        guard now >= nextPassAt else { return }
        if pass == nil, followingStream, now < nextRescanAt, let stream {
            do {
                try apply(stream.read(), at: now)
                nextPassAt = now + interval
                return
            } catch DynamoError.throttled(let why) {
                interval = min(.seconds(60), interval + DynamoClient.backoff(attempt: 0, base: interval, cap: interval))
                nextPassAt = clock.now() + interval
                notices.append("throttled while reading the stream (\(why)); next look in \(interval.compact)")
                return
            } catch {
                followingStream = false
                notices.append("stopped following the table's stream (\(error)): rescanning")
            }
        }
        if pass == nil {
            startStream()
            pass = ScanPass(segments: table.segmentCount)
        }
        repeat {
            do {
                try round()
            } catch DynamoError.throttled(let why) where firstPassDone {
                interval = min(.seconds(60), interval + DynamoClient.backoff(attempt: 0, base: interval, cap: interval))
                nextPassAt = clock.now() + interval
                notices.append("throttled while polling (\(why)); next look in \(interval.compact)")
                return
            }
        } while pass != nil && pending.isEmpty && !firstPassDone
    }

    /// One page from every unfinished segment, in parallel; ends the pass when all are done.
    private func round() throws {
        guard var p = pass else { return }
        let active = p.done.indices.filter { !p.done[$0] }
        let total = p.cursors.count
        let cursors = p.cursors
        let table = self.table
        let pages = ParallelPages.run(count: active.count) { i -> Result<DynamoTable.Page, Error> in
            Result { try table.page(segment: active[i], of: total, after: cursors[active[i]]) }
        }
        let now = clock.now()
        for (i, result) in pages.enumerated() {
            let page = try result.get()
            let segment = active[i]
            p.cursors[segment] = page.lastKey
            p.done[segment] = page.lastKey == nil
            for item in page.items {
                itemsSeen += 1
                do {
                    let record = try PowertoolsRecord(item: item, config: table.config)
                    p.seen.insert(record.id)
                    ids[record.key] = record.id
                    for e in tracker.observe(record, at: now, firstPass: !firstPassDone) { emit(e) }
                } catch {
                    pendingMalformed.append(MalformedEntry(position: itemsSeen, reason: "\(error)"))
                }
            }
            if !firstPassDone { progress.done += Int64(page.items.count) }
        }
        if p.done.allSatisfy({ $0 }) {
            let (gone, notice) = tracker.vanished(keeping: p.seen, at: now)
            for e in gone { emit(e) }
            if let notice { notices.append(notice) }
            if !firstPassDone {
                firstPassDone = true
                progress.total = progress.done
            }
            interval = table.config.pollInterval
            // The next look an interval after this one ended: a scan slower than the interval is not run back to
            // back (and a one-shot load stops after the first pass).
            nextPassAt = clock.now() + interval
            nextRescanAt = now + table.config.rescanInterval
            passes += 1
            pass = nil
        } else {
            pass = p
        }
    }

    /// Takes the stream's iterators before a pass, when the table has a stream with new images: after the pass,
    /// changes come from the stream.
    private func startStream() {
        guard table.config.useStreams, let arn = table.streamARN, let client = table.streamsClient,
              ["NEW_IMAGE", "NEW_AND_OLD_IMAGES"].contains(table.streamViewType ?? "") else { return }
        let s = stream ?? DynamoStream(client: client, arn: arn)
        do {
            try s.start()
            stream = s
            followingStream = true
        } catch {
            followingStream = false
            notices.append("cannot follow the table's stream (\(error)): rescanning every \(table.config.pollInterval.compact)")
        }
    }

    /// The events for what the stream reported.
    private func apply(_ changes: [DynamoStream.Change], at now: Instant) throws {
        let idAttr = table.config.sortKeyAttr ?? table.config.keyAttr
        for change in changes {
            switch change {
            case .upsert(let item):
                itemsSeen += 1
                do {
                    let record = try PowertoolsRecord(item: item, config: table.config)
                    ids[record.key] = record.id
                    for e in tracker.observe(record, at: now, firstPass: false) { emit(e) }
                } catch {
                    pendingMalformed.append(MalformedEntry(position: itemsSeen, reason: "\(error)"))
                }
            case .remove(let keys):
                guard let id = keys[idAttr]?.string else { continue }
                let (events, notice) = tracker.removed([id], at: now)
                for e in events { emit(e) }
                if let notice { notices.append(notice) }
            }
        }
    }

    private func emit(_ e: StoreEvent) {
        pending.append(e)
        timelines[e.key, default: []].append(e)
    }

    /// The record as the table holds it now (GetItem), nil when it is gone or idemtop never saw it.
    public func record(for key: TokenKey) throws -> PowertoolsRecord? {
        guard let known = tracker.known[idFor(key) ?? ""] else { return nil }
        let item = try DynamoDriver.wrap(location) { try table.get(known.primaryKey(config: table.config)) }
        return try item.map { try PowertoolsRecord(item: $0, config: table.config) }
    }

    /// The id of a token idemtop has seen.
    public func idFor(_ key: TokenKey) -> String? { ids[key] }

    /// The item as it is now (GetItem): its `data` as the response; the validation hash is the record's
    /// fingerprint. Powertools keeps no request, so `request` is nil.
    public func detail(for key: TokenKey) throws -> TokenDetail {
        let current = try record(for: key)
        return TokenDetail(key: key, request: nil, response: current?.response,
                           error: current == nil ? "no such item in the table now" : nil,
                           timeline: timelines[key] ?? [])
    }

    public func drainNotices() -> [String] {
        defer { notices.removeAll() }
        return notices
    }
}
