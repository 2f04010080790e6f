import Foundation
import IdemCore
import IdemStore

/// Reads the idempotency records one library keeps in Redis as core events: a first SCAN pass (GET and PTTL
/// pipelined per page), then, every `poll` interval, another pass, and between passes the keys CLIENT TRACKING
/// reports changed. What changed is turned into events by `RedisChangeTracker`.
///
/// A lost connection while following is one notice; the next looks reconnect (backing off, doubled up to a minute)
/// and say so once they succeed. A value that is not a record of the profile is a malformed entry, never fatal.
public final class RedisReader: EventReader, BatchReader {
    public let location: StoreLocation
    public let config: RedisConfig
    private let password: String?
    private let clock: any Clock
    private var conn: RedisConnection?
    private var invalidations: RedisInvalidations?
    private var tracker: RedisChangeTracker
    private var pending: [StoreEvent] = []
    private var pendingStart = 0
    private var pendingMalformed: [MalformedEntry] = []
    private var notices: [String] = []
    private var timelines: [TokenKey: [StoreEvent]] = [:]
    /// The Redis key of each token, made when first asked (`redisKey(for:)`), then kept up to date.
    private var keys: [TokenKey: String]?
    /// The pass under way: where the scan is; nil between passes. Keys it lists are marked with `passNumber`.
    private var pass: RedisScanPass?
    /// The number of the pass under way, or of the last one.
    private var passNumber: UInt32 = 0
    /// The pass that last listed each `{key}:lock` key, by the record's key.
    private var lockPasses: [String: UInt32] = [:]
    private var firstPassDone = false
    /// DBSIZE when opened: the tables that hold a key each are made that big at once (no copies while growing).
    private var expectedKeys = 0
    private let fieldNames: RedisRecord.FieldNames
    private var nextPassAt: Instant
    private var interval: TimeSpan
    private var entriesSeen: Int64 = 0
    private var lostSince: Instant?
    public private(set) var progress: LoadProgress
    /// Whole passes through the keyspace so far.
    public private(set) var passes = 0
    /// `{key}:lock` keys seen (Powertools' orphan takeover), by the record's key.
    public private(set) var locks: Set<String> = []
    /// Keys whose value could not be read as a record, with the reason: what `list`/the notices name.
    public private(set) var unreadable: [String: String] = [:]
    /// What only Redis records reveal (see `RedisFinding`), as of the last pass or change.
    public private(set) var findings: [RedisFinding] = []
    /// Keys seen INPROGRESS with a validation hash: a completed record without one dropped it.
    private var hashSeen: Set<String> = []
    /// Whether a tracking connection is following invalidations now.
    public var followsInvalidations: Bool { invalidations != nil }

    public init(location: StoreLocation, config: RedisConfig, password: String?, clock: any Clock = SystemClock()) throws {
        self.location = location
        self.config = config
        self.password = password
        self.clock = clock
        tracker = RedisChangeTracker(expiresAfter: config.profile.expiresAfter, library: config.profile.library)
        fieldNames = RedisRecord.FieldNames(config.profile)
        interval = config.pollInterval
        nextPassAt = clock.now()
        progress = LoadProgress(done: 0, total: 0, unit: "keys")
        conn = try RedisDriver.wrap(location) { try connect() }
        if let size = try? conn?.command(["DBSIZE"]).int {
            progress.total = size
            expectedKeys = Int(clamping: min(size, 50_000_000))
            tracker.reserve(expectedKeys)
        }
    }

    /// Opens `redis://...` with the password from the environment.
    public convenience init(location: StoreLocation, clock: any Clock = SystemClock(),
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let config = try RedisDriver.config(location)
        let password = try RedisDriver.wrap(location) { try config.password(environment: environment) }
        try self.init(location: location, config: config, password: password, clock: clock)
    }

    private func connect() throws -> RedisConnection {
        let c = try RedisConnection(config: config, password: password)
        if config.tracking {
            do {
                invalidations = try RedisInvalidations(config: config, password: password, host: config.host,
                                                       port: config.port)
            } catch {
                invalidations = nil
                notices.append("not following invalidations (\(error)): rescanning every \(interval.compact)")
            }
        }
        return c
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

    /// The events `poll` would hand out one by one, as one array (a whole page's, without a copy of each).
    public func pollBatch(limit: Int, malformed: (MalformedEntry) -> Void) throws -> [StoreEvent] {
        if pendingStart >= pending.count {
            pending.removeAll(keepingCapacity: false)
            pendingStart = 0
            try fill()
        }
        for m in pendingMalformed { malformed(m) }
        pendingMalformed.removeAll()
        if pendingStart == 0, pending.count <= limit {
            defer { pending = [] }
            return pending
        }
        let end = min(pending.count, pendingStart + max(0, limit))
        defer { pendingStart = end }
        return Array(pending[pendingStart..<end])
    }

    /// Reads what is due: during the first pass, pages until there are events or the pass ends; later, the
    /// invalidated keys, and a whole pass when the interval is up. Connection failures after the first pass are
    /// notices and a reconnect later.
    private func fill() throws {
        guard firstPassDone else {
            try RedisDriver.wrap(location) { try scanPages(untilEvents: true) }
            return
        }
        let now = clock.now()
        do {
            if conn == nil {
                guard now >= nextPassAt else { return }
                conn = try connect()
                notices.append("reconnected to \(config.endpoint) after \((clock.now() - (lostSince ?? now)).compact)")
                lostSince = nil
                pass = nil
            }
            if let inv = invalidations {
                guard let changed = try inv.take() else {
                    pass = pass ?? newScan()
                    try scanPages(untilEvents: false)
                    return
                }
                try reread(changed.filter { globMatches(config.profile.match, $0) }.sorted())
            }
            if pass != nil || now >= nextPassAt { try scanPages(untilEvents: false) }
        } catch let e as RedisError {
            switch e {
            case .closed, .timeout, .connect:
                if lostSince == nil {
                    lostSince = now
                    notices.append("\(e); reconnecting")
                }
                conn = nil
                invalidations = nil
                interval = min(.seconds(60), interval + interval)
                nextPassAt = clock.now() + interval
            default: throw StoreError.io(path: location.description, why: "\(e)")
            }
        }
    }

    private func newScan() -> RedisScanPass { RedisScanPass(match: config.profile.match, count: config.count) }

    /// Scans pages from the pass's cursor: to the pass's end, or (`untilEvents`) until a page makes events.
    private func scanPages(untilEvents: Bool) throws {
        guard let conn else { return }
        if pass == nil { passNumber &+= 1 }
        var scan = pass ?? newScan()
        pass = nil
        repeat {
            let now = clock.now()
            if !firstPassDone { pending.reserveCapacity(pending.count + 2 * config.count) }  // a request and a completion each
            let page = try scan.next(conn) { entry in
                entriesSeen += 1
                absorb(entry, at: now, listed: true)
            }
            for (key, why) in page.wrongType {
                entriesSeen += 1
                noteUnreadable(key, why)
            }
            if !firstPassDone { progress.done += Int64(page.entries + page.wrongType.count + page.vanished) }
            if scan.done { break }
        } while !(untilEvents && (!pending.isEmpty || !pendingMalformed.isEmpty))
        if !scan.done {
            pass = scan
            return
        }
        pass = nil
        let now = clock.now()
        let (gone, notice) = tracker.vanished(notListedBy: passNumber, at: now)
        for e in gone { emit(e) }
        if let notice { notices.append(notice) }
        lockPasses = lockPasses.filter { $0.value == passNumber }
        locks = locks.filter { lockPasses[$0] != nil }
        refreshFindings()
        if !firstPassDone {
            firstPassDone = true
            progress.total = progress.done
        }
        interval = config.pollInterval
        nextPassAt = clock.now() + interval
        passes += 1
    }

    /// GET and PTTL for keys reported changed; those gone are removed.
    private func reread(_ changed: [String]) throws {
        guard let conn, !changed.isEmpty else { return }
        let replies = try conn.pipeline(changed.flatMap { k in
            [[Array("GET".utf8), Array(k.utf8)], [Array("PTTL".utf8), Array(k.utf8)]]
        })
        let now = clock.now()
        var gone: [String] = []
        for (i, key) in changed.enumerated() {
            switch replies[2 * i] {
            case .bulk(let v): absorb(RedisScanPage.Entry(key: key, value: v, pttl: replies[2 * i + 1].int ?? -1), at: now)
            case .null:
                if key.hasSuffix(":lock") { locks.remove(String(key.dropLast(5))) } else { gone.append(key) }
            default: noteUnreadable(key, "not a string value (WRONGTYPE): not an idempotency record")
            }
        }
        let (events, notice) = tracker.removed(gone, at: now)
        for e in events { emit(e) }
        if let notice { notices.append(notice) }
        refreshFindings()
    }

    /// Recomputes the findings; the notice lines for those new since the last time.
    private func refreshFindings() {
        let now = RedisFinding.find(tracker.known, locks: locks, hashSeen: hashSeen, profile: config.profile)
        let old = Set(findings)
        let new = now.filter { !old.contains($0) }
        findings = now
        notices += RedisFinding.notices(new, profile: config.profile)
    }

    /// Decodes one value into events (or a lock, or an unreadable entry).
    /// `listed`: the scan pass under way listed the key (else an invalidation or a look-up read it).
    private func absorb(_ entry: RedisScanPage.Entry, at now: Instant, listed: Bool = false) {
        if config.profile.isPowertoolsLayout, entry.key.hasSuffix(":lock") {
            let record = String(entry.key.dropLast(5))
            if listed { lockPasses[record] = passNumber }
            if entry.value == Array("True".utf8) || entry.value == Array("true".utf8) {
                locks.insert(record)
                return
            }
        }
        do {
            let record = try RedisRecord(key: entry.key, value: entry.value, pttl: entry.pttl, at: now,
                                         profile: config.profile, fields: fieldNames)
            unreadable.removeValue(forKey: entry.key)
            keys?[record.tokenKey] = record.key
            if record.stored == .inProgress, record.fingerprint != nil { hashSeen.insert(record.key) }
            if firstPassDone {
                for e in tracker.observe(record, at: now, firstPass: false, pass: listed ? passNumber : nil) { emit(e) }
            } else {
                // The first pass keeps no timelines (see `emit`): its events go straight to the pending list.
                tracker.observe(record, at: now, firstPass: true, pass: listed ? passNumber : nil, into: &pending)
            }
        } catch {
            noteUnreadable(entry.key, "\(error)")
        }
    }

    private func noteUnreadable(_ key: String, _ why: String) {
        guard unreadable[key] != why else { return }
        unreadable[key] = why
        pendingMalformed.append(MalformedEntry(position: entriesSeen, reason: "key \(Sanitizer.visible(key)): \(why)"))
    }

    private func emit(_ e: StoreEvent) {
        pending.append(e)
        if firstPassDone { timelines[e.key, default: []].append(e) }  // see detail(for:)
    }

    /// The Redis key of a token idemtop has seen.
    public func redisKey(for key: TokenKey) -> String? {
        if keys == nil {
            var made: [TokenKey: String] = [:]
            made.reserveCapacity(tracker.known.count)
            for k in tracker.known.keys { made[RedisRecord.tokenKey(ofKey: k, library: config.profile.library)] = k }
            keys = made
        }
        return keys?[TokenKey(tenant: key.tenant, token: key.token)]
    }

    /// The record as Redis holds it now (GET + PTTL), nil when the key is gone or idemtop never saw it.
    public func record(for key: TokenKey) throws -> RedisRecord? {
        guard let redisKey = redisKey(for: key), let conn else { return nil }
        return try RedisDriver.wrap(location) {
            let r = try conn.pipeline([[Array("GET".utf8), Array(redisKey.utf8)], [Array("PTTL".utf8), Array(redisKey.utf8)]])
            guard case .bulk(let v) = r[0] else { return nil }
            return try RedisRecord(key: redisKey, value: v, pttl: r[1].int ?? -1, at: clock.now(), profile: config.profile)
        }
    }

    public func detail(for key: TokenKey) throws -> TokenDetail {
        let current = try record(for: key)
        // The first pass keeps no timelines (a million records' events twice over): a record unchanged since is
        // told as it was first seen.
        var timeline = timelines[key] ?? []
        if timeline.isEmpty, let current {
            var once = RedisChangeTracker(expiresAfter: config.profile.expiresAfter, library: config.profile.library)
            timeline = once.observe(current, at: clock.now(), firstPass: true)
        }
        return TokenDetail(key: key, request: current?.request, response: current?.response,
                           error: current == nil ? "no such key in Redis now" : nil, timeline: timeline)
    }

    /// Forgets a key idemtop purged itself.
    public func forget(_ redisKey: String) { tracker.forget(redisKey) }

    public func drainNotices() -> [String] {
        defer { notices.removeAll() }
        return notices
    }
}
