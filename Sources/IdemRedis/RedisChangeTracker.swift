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
    /// Each known key's place in `states`: a table of small values (a key and a 4-byte index; the states
    /// themselves, 64 bytes each, sit end to end in `states` instead of in the table's spare slots too).
    private var slots: [TrackedKey: Int32] = [:]
    /// The parts of keys up to their last `#` (`TrackedKey.head`), and each one's number.
    private var heads: [String] = []
    private var headNumbers: [String: Int32] = [:]
    /// The last head looked up, as bytes, and its number: keys of one function share it, so most look-ups are a
    /// comparison of a few bytes, without a string.
    private var lastHead: [UInt8] = []
    private var lastHeadNumber: Int32 = -1
    private var states: [RedisKeyState] = []
    /// Places in `states` freed by keys that went, for the next new key.
    private var holes: [Int32] = []
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
    public mutating func reserve(_ count: Int) {
        slots.reserveCapacity(count)
        states.reserveCapacity(count)
    }

    /// A Redis key as the tracker keeps it: the part up to its last `#` as a number (every key of one function
    /// shares it), and the rest. For a Powertools key the rest is the token, the very string the record (and the
    /// ledger after it) holds, so a key costs no string of its own; a key without `#` is all rest.
    struct TrackedKey: Hashable, Sendable {
        var head: Int32
        var tail: String
    }

    /// The tracked form of `key`; `token` is reused as the rest when it is those bytes. `intern`: a head not seen
    /// before gets a number (else such a key is not known, nil).
    private mutating func tracked(_ key: String, token: String?, intern: Bool) -> TrackedKey? {
        var k = key
        return k.withUTF8 { b -> TrackedKey? in
            var cut = b.count - 1
            while cut >= 0, b[cut] != 35 { cut -= 1 }
            let head = UnsafeBufferPointer(rebasing: b[..<(cut + 1)])
            let number: Int32
            if lastHeadNumber >= 0, head.elementsEqual(lastHead) {
                number = lastHeadNumber
            } else {
                let text = String(decoding: head, as: UTF8.self)
                if let n = headNumbers[text] {
                    number = n
                } else {
                    guard intern else { return nil }
                    number = Int32(heads.count)
                    heads.append(text)
                    headNumbers[text] = number
                }
                lastHead = Array(head)
                lastHeadNumber = number
            }
            if cut < 0 { return TrackedKey(head: number, tail: key) }
            let tail = UnsafeBufferPointer(rebasing: b[(cut + 1)...])
            if let token, token.utf8.elementsEqual(tail) { return TrackedKey(head: number, tail: token) }
            return TrackedKey(head: number, tail: String(decoding: tail, as: UTF8.self))
        }
    }

    /// Every key known now, with its state.
    public var known: Known { Known(slots: slots, states: states, heads: heads) }

    /// The keys known now and their states (a view: nothing is copied; a key's text is made as it is read).
    public struct Known: Sequence, Sendable {
        fileprivate let slots: [TrackedKey: Int32]
        fileprivate let states: [RedisKeyState]
        fileprivate let heads: [String]
        public var count: Int { slots.count }
        /// Every key's text.
        public var keys: [String] { slots.keys.map { heads[Int($0.head)] + $0.tail } }

        /// The keys whose state passes `filter`, with their state: only those keys' texts are made.
        public func forEach(where filter: (RedisKeyState) -> Bool, _ body: (String, RedisKeyState) -> Void) {
            for (k, i) in slots {
                let state = states[Int(i)]
                if filter(state) { body(heads[Int(k.head)] + k.tail, state) }
            }
        }

        public func makeIterator() -> Iterator { Iterator(base: slots.makeIterator(), states: states, heads: heads) }

        public struct Iterator: IteratorProtocol {
            fileprivate var base: Dictionary<TrackedKey, Int32>.Iterator
            fileprivate let states: [RedisKeyState]
            fileprivate let heads: [String]
            public mutating func next() -> (key: String, value: RedisKeyState)? {
                base.next().map { (heads[Int($0.key.head)] + $0.key.tail, states[Int($0.value)]) }
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
        guard let key = tracked(r.key, token: r.token, intern: true) else { return }  // never nil when interning
        guard let old = RedisChangeTracker.replace(&slots[key], &states, &holes, with: RedisKeyState(r), pass: pass)
        else {
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

    /// Puts `new` in the place a key's table slot names (a new place when it has none), with the pass number
    /// given or the one the key had; what the key held before. One lookup of the key.
    private static func replace(_ slot: inout Int32?, _ states: inout [RedisKeyState], _ holes: inout [Int32],
                                with new: RedisKeyState, pass: UInt32?) -> RedisKeyState? {
        var new = new
        if let i = slot {
            let old = states[Int(i)]
            new.pass = pass ?? old.pass
            states[Int(i)] = new
            return old
        }
        new.pass = pass ?? 0
        if let hole = holes.popLast() {
            states[Int(hole)] = new
            slot = hole
        } else {
            slot = Int32(states.count)
            states.append(new)
        }
        return nil
    }

    /// Forgets a key's state; what it was.
    private mutating func remove(_ key: String) -> RedisKeyState? {
        guard let k = tracked(key, token: nil, intern: false), let i = slots.removeValue(forKey: k) else { return nil }
        holes.append(i)
        return states[Int(i)]
    }

    /// The state of one key, nil when it is not known.
    public func state(of key: String) -> RedisKeyState? {
        var t = self  // `tracked` caches the last head; a copy keeps this a read (the arrays are shared, not copied)
        guard let k = t.tracked(key, token: nil, intern: false), let i = slots[k] else { return nil }
        return states[Int(i)]
    }

    /// The keys the pass number `pass` did not list (so far), sorted.
    public func notListed(by pass: UInt32) -> [String] {
        var out: [String] = []
        for (k, i) in slots where states[Int(i)].pass != pass { out.append(heads[Int(k.head)] + k.tail) }
        return out.sorted()
    }

    /// Marks a known key as listed by the pass number `pass` (read where its slot is, or kept while its node is
    /// down), so that pass does not count it as gone.
    public mutating func mark(_ key: String, pass: UInt32) {
        guard let k = tracked(key, token: nil, intern: false), let i = slots[k] else { return }
        states[Int(i)].pass = pass
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
