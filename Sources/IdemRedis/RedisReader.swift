import Foundation
import IdemCore
import IdemStore

/// Reads the idempotency records one library keeps in Redis as core events: a first SCAN pass (GET and PTTL
/// pipelined per page), then, every `poll` interval, another pass, and between passes the keys CLIENT TRACKING
/// reports changed. What changed is turned into events by `RedisChangeTracker`.
///
/// A lost connection while following is one notice; the next looks reconnect (backing off, doubled up to a minute)
/// and say so once they succeed. A value that is not a record of the profile is a malformed entry, never fatal.
public final class RedisReader: EventReader, BatchReader, FindingSource {
    public let location: StoreLocation
    public let config: RedisConfig
    private let password: String?
    private let clock: any Clock
    /// The server, or every primary of a cluster (see `RedisNodes`); nil while a lost server is away.
    private var nodes: RedisNodes?
    /// The tracking connection of each node followed, by endpoint.
    private var invalidations: [String: RedisInvalidations] = [:]
    /// Cluster nodes that stopped answering, since when: their keys are kept as last seen until they answer.
    private var down: [String: Instant] = [:]
    private var tracker: RedisChangeTracker
    private var pending: [StoreEvent] = []
    private var pendingStart = 0
    private var pendingMalformed: [MalformedEntry] = []
    private var notices: [String] = []
    private var timelines: [TokenKey: [StoreEvent]] = [:]
    /// The Redis key of each token, made when first asked (`redisKey(for:)`), then kept up to date.
    private var keys: [TokenKey: String]?
    /// The pass under way (the nodes it goes through, the one it is at and its scan); nil between passes. Keys it
    /// lists are marked with `passNumber`.
    private var pass: RedisPass?
    /// The number of the pass under way, or of the last one.
    private var passNumber: UInt32 = 0
    /// The pass that last listed each `{key}:lock` key, by the record's key.
    private var lockPasses: [String: UInt32] = [:]
    private var firstPassDone = false
    /// DBSIZE when opened: the tables that hold a key each are made that big at once (no copies while growing).
    private var expectedKeys = 0
    /// DBSIZE when opened (a key is a record, a few are `{key}:lock` keys): what a ledger reserves room for.
    public var expectedTokens: Int { expectedKeys }
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
    /// The same findings as the core reports them (see `FindingSource`), and when each was first seen.
    public private(set) var storeFindings: [Finding] = []
    public private(set) var storeFindingsVersion = 0
    private var findingFirstSeen: [RedisFinding: Instant] = [:]
    /// Keys seen INPROGRESS with a validation hash: a completed record without one dropped it.
    private var hashSeen: Set<String> = []
    /// Whether a tracking connection is following invalidations now.
    public var followsInvalidations: Bool { !invalidations.isEmpty }
    /// Whether the location is a Redis Cluster (every primary scanned).
    public var isCluster: Bool { nodes?.isCluster ?? false }
    /// The endpoints scanned: the server, or the cluster's primaries.
    public var primaries: [String] { nodes?.primaries ?? [config.endpoint] }

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
        nodes = try RedisDriver.wrap(location) { try connect() }
        if config.discoverCluster, let why = nodes?.discoveryRefused {
            notices.append("read as one server: INFO cluster was refused (\(Sanitizer.visible(why))); add cluster=1 "
                + "to the location if it is a Redis Cluster node")
        }
        if nodes?.clusterIgnored == true {
            notices.append("\(config.endpoint) is a Redis Cluster node and the location says cluster=0: only its own "
                + "keys are read (a key on another node answers MOVED)")
        }
        if let size = nodes?.dbsize() {
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

    private func connect() throws -> RedisNodes {
        let n = try RedisNodes(config: config, password: password)
        followInvalidations(n)
        return n
    }

    /// Opens a tracking connection to every primary without one (and closes those to former primaries).
    private func followInvalidations(_ n: RedisNodes) {
        guard config.tracking else { return }
        let primaries = n.addresses
        for endpoint in invalidations.keys where !primaries.contains(where: { $0.endpoint == endpoint }) {
            invalidations[endpoint] = nil
        }
        for (endpoint, host, port) in primaries where invalidations[endpoint] == nil && down[endpoint] == nil {
            do {
                invalidations[endpoint] = try RedisInvalidations(config: config, password: password, host: host,
                                                                 port: port)
            } catch {
                if n.isCluster { nodeDown(endpoint, error); continue }
                notices.append("not following invalidations (\(error)): rescanning every \(interval.compact)")
            }
        }
    }

    /// A cluster node stopped answering: one notice, and its keys stay as last seen until it answers again.
    private func nodeDown(_ endpoint: String, _ error: Error) {
        nodes?.drop(endpoint)
        invalidations[endpoint] = nil
        guard down[endpoint] == nil else { return }
        down[endpoint] = clock.now()
        notices.append("cluster node \(endpoint): \(error); its keys are kept as last seen until it answers again")
    }

    private func nodeBack(_ endpoint: String) {
        guard let since = down.removeValue(forKey: endpoint) else { return }
        notices.append("cluster node \(endpoint) answers again after \((clock.now() - since).compact)")
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
            if nodes == nil {
                guard now >= nextPassAt else { return }
                nodes = try connect()
                notices.append("reconnected to \(config.endpoint) after \((clock.now() - (lostSince ?? now)).compact)")
                lostSince = nil
                pass = nil
            }
            if !invalidations.isEmpty {
                guard let changed = try takeInvalidations() else {
                    // A flush: a whole pass now (one under way goes on; its keys listed before the flush are
                    // read again by the next one).
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
                // A cluster keeps its nodes: another primary may still answer, and the next pass asks them all.
                if nodes?.isCluster != true {
                    nodes = nil
                    invalidations = [:]
                }
                interval = min(.seconds(60), interval + interval)
                nextPassAt = clock.now() + interval
            default: throw StoreError.io(path: location.description, why: "\(e)")
            }
        }
    }

    private func newScan() -> RedisScanPass { RedisScanPass(match: config.profile.match, count: config.count) }

    /// The keys every tracking connection was told changed; nil after a flush (rescan). A cluster node's tracking
    /// connection that breaks is that node down, not the reader's.
    private func takeInvalidations() throws -> Set<String>? {
        var changed: Set<String> = []
        var flushed = false
        for (endpoint, inv) in invalidations.sorted(by: { $0.key < $1.key }) {
            do {
                guard let keys = try inv.take() else { flushed = true; continue }
                changed.formUnion(keys)
            } catch let e as RedisError where isCluster && e.isConnectionLoss {
                nodeDown(endpoint, e)
            }
        }
        return flushed ? nil : changed
    }

    /// Scans pages from the pass's node and cursor: to the pass's end (every node), or (`untilEvents`) until a page
    /// makes events. A cluster's map is asked again as each pass begins; a node that does not answer is skipped
    /// (one notice), its keys kept as they were.
    private func scanPages(untilEvents: Bool) throws {
        guard let nodes else { return }
        if pass == nil, nodes.isCluster, firstPassDone || nodes.mapChanged {
            do {
                if try nodes.refresh(avoiding: Set(down.keys)) {
                    notices.append("cluster map changed: \(nodes.primaries.count) primaries (\(nodes.primaries.joined(separator: ", ")))")
                }
            } catch let e as RedisError where e.isConnectionLoss {
                notices.append("no cluster node answers (\(e)); retrying")
                throw e
            }
            followInvalidations(nodes)
        }
        if pass == nil { passNumber &+= 1 }
        var p = pass ?? RedisPass(nodes: nodes.primaries, scan: newScan())
        pass = nil  // one owner of the scan's buffers while it reads
        while p.node < p.nodes.count {
            let endpoint = p.nodes[p.node]
            let now = clock.now()
            if !firstPassDone { pending.reserveCapacity(pending.count + 2 * config.count) }  // a request and a completion each
            let page: RedisScanPass.Tally
            do {
                page = try nodes.scan(endpoint, &p.scan) { entry in
                    entriesSeen += 1
                    absorb(entry, at: now, listed: true)
                }
            } catch let e as RedisError where nodes.isCluster && e.isConnectionLoss {
                nodeDown(endpoint, e)
                p.node += 1
                p.scan = newScan()
                continue
            }
            if down[endpoint] != nil {
                nodeBack(endpoint)
                followInvalidations(nodes)
            }
            for (key, why) in page.wrongType {
                entriesSeen += 1
                noteUnreadable(key, why)
            }
            if !firstPassDone { progress.done += Int64(page.entries + page.wrongType.count + page.vanished) }
            if p.scan.done {
                p.node += 1
                if p.node == p.nodes.count { break }
                p.scan = newScan()
            }
            if untilEvents && (!pending.isEmpty || !pendingMalformed.isEmpty) { break }
        }
        if p.node < p.nodes.count {
            pass = p
            return
        }
        pass = nil
        if nodes.isCluster { try confirmVanished(nodes) }
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

    /// In a cluster, the keys a pass did not list (their pass number is not this pass's) are read once more where their slot is served before they count
    /// as gone: a key that moved between nodes during the pass (a slot migrating or resharded) was scanned on
    /// neither, and a key on a node that does not answer is unknown, not gone.
    private func confirmVanished(_ nodes: RedisNodes) throws {
        let candidates = tracker.notListed(by: passNumber)
        guard !candidates.isEmpty else { return }
        let now = clock.now()
        for (key, read) in zip(candidates, try nodes.get(candidates)) {
            switch read {
            case .value(let v, let pttl):
                tracker.mark(key, pass: passNumber)
                absorb(RedisScanPage.Entry(key: key, value: v, pttl: pttl), at: now, listed: true)
            case .unreachable: tracker.mark(key, pass: passNumber)
            case .gone: continue
            case .other(let why): noteUnreadable(key, why)
            }
        }
    }

    /// GET and PTTL for keys reported changed; those gone are removed.
    private func reread(_ changed: [String]) throws {
        guard let nodes, !changed.isEmpty else { return }
        let reads = try nodes.get(changed)
        let now = clock.now()
        var gone: [String] = []
        for (key, read) in zip(changed, reads) {
            switch read {
            case .value(let v, let pttl): absorb(RedisScanPage.Entry(key: key, value: v, pttl: pttl), at: now)
            case .gone:
                if key.hasSuffix(":lock") { locks.remove(String(key.dropLast(5))) } else { gone.append(key) }
            case .other(let why): noteUnreadable(key, why)
            case .unreachable: continue  // its node is down: kept as last seen
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
        let changed = now != findings
        findings = now
        notices += RedisFinding.notices(new, profile: config.profile)
        guard changed else { return }
        let at = clock.now()
        var first: [RedisFinding: Instant] = [:]
        for f in now { first[f] = findingFirstSeen[f] ?? at }
        findingFirstSeen = first
        storeFindings = now.map { f in
            f.core(state: tracker.state(of: f.key), firstSeen: first[f] ?? at, lastSeen: at, profile: config.profile)
        }
        storeFindingsVersion += 1
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
        guard let redisKey = redisKey(for: key), let nodes else { return nil }
        return try RedisDriver.wrap(location) {
            switch try nodes.get([redisKey])[0] {
            case .value(let v, let pttl):
                return try RedisRecord(key: redisKey, value: v, pttl: pttl, at: clock.now(), profile: config.profile)
            case .unreachable(let e): throw e
            case .gone, .other: return nil
            }
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

/// Where a pass through the keyspace is: the nodes it goes through (the cluster's primaries as it began, or the one
/// server), the node it is at, and that node's pipelined scan (`RedisScanPass`, over the node's connection).
struct RedisPass {
    var nodes: [String]
    var node = 0
    var scan: RedisScanPass

    init(nodes: [String], scan: RedisScanPass) {
        self.nodes = nodes
        self.scan = scan
    }
}

extension RedisError {
    /// The server went away or does not answer (not a refusal): a reconnect later may work.
    var isConnectionLoss: Bool {
        switch self {
        case .closed, .timeout, .connect: return true
        default: return false
        }
    }
}
