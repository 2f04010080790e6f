import IdemCore

/// Turns what successive scans of a Redis keyspace show into the core's events, as `DynamoChangeTracker` does for
/// DynamoDB (the same table of cases), with Redis's own rules for deadlines and for keys vanishing at their TTL.
///
/// | seen                                                   | events                                              |
/// |--------------------------------------------------------|-----------------------------------------------------|
/// | a new key, in progress                                 | request `executed` (`reexecuted` if it had expired) |
/// | a new key, completed                                   | request `executed`, `completed`                     |
/// | in progress -> completed                               | `completed`                                         |
/// | a new lifetime: completed -> in progress, a new        | request `reexecuted` (+ `completed` if completed)   |
/// | in-progress deadline (orphan takeover), a new expiry   |                                                     |
/// | gone while in progress, before it expired              | `failed` (the handler raised: the library deletes)  |
/// | gone while completed, before it expired                | `purge` by `(outside idemtop)`                      |
/// | gone after it expired (TTL)                            | no event; a notice. If it comes back: `reexecuted`  |
public struct RedisChangeTracker: Sendable {
    /// Every known key and its state (see `RedisKeyTable`: about 64 bytes a key).
    private var table = RedisKeyTable()
    private var expiredGone: Set<String> = []
    private var seq: Int64 = 0
    public let expiresAfter: TimeSpan
    /// Whose keys these are: how a key splits into tenant and token when it is reported gone.
    public let library: RedisProfile.Library

    public init(expiresAfter: TimeSpan, library: RedisProfile.Library) {
        self.expiresAfter = expiresAfter
        self.library = library
    }

    /// Makes room for `count` keys at once (a first pass knows DBSIZE), instead of growing the table as they come.
    public mutating func reserve(_ count: Int) { table.reserve(count) }

    /// Every key known now, with its state.
    public var known: Known { Known(table: table) }

    /// The keys known now and their states (a view: nothing is copied; a key's text is made as it is read).
    public struct Known: Sequence, Sendable {
        fileprivate let table: RedisKeyTable
        public var count: Int { table.count }
        /// Every key's text.
        public var keys: [String] {
            var out: [String] = []
            out.reserveCapacity(table.count)
            for p in table.states.indices where table.isLive(p) { out.append(table.key(p)) }
            return out
        }

        /// The keys whose state passes `filter`, with their state: only those keys' texts are made.
        public func forEach(where filter: (RedisKeyState) -> Bool, _ body: (String, RedisKeyState) -> Void) {
            for p in table.states.indices where table.isLive(p) {
                let state = table.state(p)
                if filter(state) { body(table.key(p), state) }
            }
        }

        public func makeIterator() -> Iterator { Iterator(table: table) }

        public struct Iterator: IteratorProtocol {
            fileprivate let table: RedisKeyTable
            fileprivate var position = 0
            public mutating func next() -> (key: String, value: RedisKeyState)? {
                while position < table.states.count {
                    defer { position += 1 }
                    if table.isLive(position) { return (table.key(position), table.state(position)) }
                }
                return nil
            }
        }
    }

    /// The events for one record as a look at `now` shows it; `pass` is the number of the scan pass that listed
    /// it (nil when it was read for another reason: it keeps the number it had).
    public mutating func observe(_ r: RedisRecord, at now: Instant, firstPass: Bool, pass: UInt32? = nil) -> [StoreEvent] {
        var out: [StoreEvent] = []
        observe(r, at: now, firstPass: firstPass, pass: pass, into: &out)
        return out
    }

    /// `observe(_:at:firstPass:pass:)` appending the events to `out` (no array of its own per record).
    public mutating func observe(_ r: RedisRecord, at now: Instant, firstPass: Bool, pass: UInt32?,
                                 into out: inout [StoreEvent]) {
        guard let (position, inserted) = table.find(r.key, token: r.token, insert: true) else { return }  // never nil when inserting
        var new = RedisKeyState(r)
        let old: RedisKeyState? = inserted ? nil : table.state(position)
        new.pass = pass ?? old?.pass ?? 0
        table.set(position, new)
        guard let old else {
            var at = now
            if firstPass {
                if let written = r.writtenEstimate(expiresAfter: expiresAfter) { at = min(now, written) }
            }
            let returned = !expiredGone.isEmpty && expiredGone.remove(r.key) != nil
            out.append(request(r, returned ? .reexecuted : .executed, at: at))
            if r.stored == .completed { out.append(completed(r, at: at)) }
            return
        }
        guard old.valueDigest != r.valueDigest else { return }
        let newDeadline = r.inProgressExpiration != nil && r.inProgressExpiration != old.inProgressExpiration
            && r.stored == .inProgress
        let newLifetime = newDeadline
            || (old.stored == .completed && r.stored == .inProgress)
            || (old.stored == .completed && r.expiration != nil && r.expiration != old.expiration)
            || (old.stored == .inProgress && r.stored == .inProgress && r.expiration != old.expiration)
            || (r.createdAt != nil && old.createdAt != nil && r.createdAt != old.createdAt)
        if newLifetime { out.append(request(r, .reexecuted, at: now)) }
        if r.stored == .completed, newLifetime || old.stored != .completed {
            out.append(completed(r, at: now))
        }
    }

    /// Forgets a key's state; what it was.
    private mutating func remove(_ key: String) -> RedisKeyState? { table.remove(key) }

    /// The state of one key, nil when it is not known.
    public func state(of key: String) -> RedisKeyState? {
        var t = table  // `find` caches the last head; a copy keeps this a read (the arrays are shared, not copied)
        guard let (p, _) = t.find(key, token: nil, insert: false) else { return nil }
        return table.state(p)
    }

    /// The keys the pass number `pass` did not list (so far), sorted.
    public func notListed(by pass: UInt32) -> [String] {
        var out: [String] = []
        for p in table.states.indices where table.isLive(p) && table.pass(p) != pass { out.append(table.key(p)) }
        return out.sorted()
    }

    /// Marks a known key as listed by the pass number `pass` (read where its slot is, or kept while its node is
    /// down), so that pass does not count it as gone.
    public mutating func mark(_ key: String, pass: UInt32) {
        guard let (p, _) = table.find(key, token: nil, insert: false) else { return }
        table.setPass(p, pass)
    }

    /// The events for records the whole pass number `pass` did not list, and a notice line when any vanished.
    public mutating func vanished(notListedBy pass: UInt32, at now: Instant) -> (events: [StoreEvent], notice: String?) {
        removed(notListed(by: pass), at: now)
    }

    /// The events for keys known to be gone (GET found nothing after an invalidation), and a notice line.
    public mutating func removed(_ gone: [String], at now: Instant) -> (events: [StoreEvent], notice: String?) {
        var events: [StoreEvent] = []
        var expired = 0, failed = 0, deleted = 0
        for key in gone {
            guard let old = remove(key) else { continue }
            let status = old.status(at: now)
            // A key Redis dropped at its TTL (a little before the library's own expiry second) expired.
            if status == .expired || (old.dropsAt.map { now >= $0 } ?? false) {
                expiredGone.insert(key)
                expired += 1
                continue
            }
            seq += 1
            let names = RedisRecord.tokenKey(ofKey: key, library: library)
            if old.stored == .inProgress {
                failed += 1
                events.append(StoreEvent(seq: seq, kind: .failed, at: now, tenant: names.tenant, token: names.token,
                                         error: "key deleted while \(status.rawValue): the handler raised "
                                            + "(the library deletes the record) or someone deleted it"))
            } else {
                deleted += 1
                events.append(StoreEvent(seq: seq, kind: .purge, at: now, tenant: names.tenant, token: names.token,
                                         actor: "(outside idemtop)", reason: "key deleted from Redis",
                                         sawStatus: status))
            }
        }
        guard expired + failed + deleted > 0 else { return ([], nil) }
        var parts: [String] = []
        if expired > 0 { parts.append("\(expired) expired (dropped at their TTL)") }
        if failed > 0 { parts.append("\(failed) in progress (handler failed, shown as failed)") }
        if deleted > 0 { parts.append("\(deleted) completed and unexpired (shown as purged)") }
        return (events, "\(expired + failed + deleted) key(s) vanished: " + parts.joined(separator: ", "))
    }

    /// Forgets a key (after idemtop itself purged it, so the next pass does not report it as vanished).
    public mutating func forget(_ key: String) { _ = remove(key) }

    private mutating func request(_ r: RedisRecord, _ outcome: Outcome, at: Instant) -> StoreEvent {
        seq += 1
        return StoreEvent(seq: seq, kind: .request, at: at, tenant: r.tenant, token: r.token, operation: r.operation,
                          fingerprint: r.fingerprint.map(Fingerprint.init), outcome: outcome, expiresAt: r.expiresAt,
                          lockedUntil: r.lockedUntil, request: r.request)
    }

    private mutating func completed(_ r: RedisRecord, at: Instant) -> StoreEvent {
        seq += 1
        return StoreEvent(seq: seq, kind: .completed, at: at, tenant: r.tenant, token: r.token,
                          expiresAt: r.expiresAt, responseStatus: r.response?.status, response: r.response)
    }
}
