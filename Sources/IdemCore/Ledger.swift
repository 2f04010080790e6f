/// The aggregate over every token of a store: one `TokenRecord` per (tenant, token), folded from the store's events.
///
/// Every store turns its bytes into `StoreEvent`s and applies them here in order; the writer API, the CLI and the
/// dashboard all read the same fold, so they agree on what a token's state is.
public struct Ledger: Sendable {
    public internal(set) var records: [TokenRecord] = []
    public internal(set) var tenants = Interner()
    public internal(set) var operations = Interner()
    var index = RecordIndex()
    /// The records of the tokens folded last, in front of `index` (`apply`'s lookups).
    var recent = RecentRecords()
    public internal(set) var counts = EventCounts()
    /// Lines or rows the reader could not understand, with where they were (kept: the first few hundred).
    public internal(set) var malformed: [MalformedEntry] = []
    public internal(set) var malformedCount = 0
    /// The newest event time applied.
    public internal(set) var lastEventAt: Instant?
    /// Every event's instant and record, for `at:` windows and the histogram.
    public internal(set) var times = EventTimes()
    public let policy: Policy

    public init(policy: Policy = .standard) { self.policy = policy }

    public var count: Int { records.count }

    /// Makes room for `tokens` records (and their index slots) at once, when the store can tell how many it holds
    /// before it is read (`EventReader.expectedTokens`): growing by doubling keeps the old array and the new one at
    /// once, at a million tokens a copy of 512K records at the peak. Less than the records already held is a no-op.
    public mutating func reserveCapacity(tokens: Int) {
        guard tokens > records.count else { return }
        records.reserveCapacity(tokens)
        index.reserveCapacity(tokens)
    }

    /// Makes room for `tokens` records and `events` event times without touching the memory (it stays virtual until
    /// used), and sizes the record index for `indexed` tokens: what a load that can estimate its size part-way
    /// through (`LoadSizeEstimate`) reserves, so the last doublings of the records (a copy of half a million
    /// records, and the page faults of both copies) and of the time arrays do not happen. Less than held is a no-op.
    public mutating func reserveCapacity(tokens: Int, events: Int, indexed: Int) {
        if tokens > records.count { records.reserveCapacity(tokens) }
        times.reserveCapacity(events)
        if indexed > records.count { index.reserveCapacity(indexed) }
    }

    public func tenant(of r: TokenRecord) -> String { tenants[r.tenantID] }
    public func operation(of r: TokenRecord) -> String { operations[r.operationID] }
    /// The record's key: tenant, token and store.
    public func key(of r: TokenRecord) -> TokenKey { TokenKey(tenant: tenants[r.tenantID], token: r.token, store: r.store) }

    /// How many stores the events came from (1 + the highest store number seen; at least 1).
    public internal(set) var storeCount = 1
    /// The names of the open stores by number, when several are (empty with one): the STORE column, `store:`.
    public var storeNames: [String] = []
    /// Whether the records come from more than one store.
    public var isMultiStore: Bool { storeNames.count > 1 }
    /// The name of the store that holds `r` ("" with one store).
    public func storeName(of r: TokenRecord) -> String {
        Int(r.store) < storeNames.count ? storeNames[Int(r.store)] : ""
    }

    /// The index of a token's record, if the ledger has one.
    public func indexOf(_ key: TokenKey) -> Int? {
        guard let t = tenants.lookup(key.tenant), let i = index.find(t, key.store, key.token, in: records) else {
            return nil
        }
        return Int(i)
    }

    public func record(_ key: TokenKey) -> TokenRecord? { indexOf(key).map { records[$0] } }

    /// Every index whose token string is `token`, in any tenant and any store.
    public func indexes(token: String) -> [Int] {
        (0..<storeCount).flatMap { s in
            (0..<tenants.count).compactMap { t in index.find(Int32(t), UInt8(s), token, in: records).map(Int.init) }
        }
    }

    /// Counts a line or row that could not be read; the reader goes on.
    public mutating func noteMalformed(_ entry: MalformedEntry) {
        malformedCount += 1
        if malformed.count < 500 { malformed.append(entry) }
    }

    /// Applies one event and returns the index of the record it touched (nil when it touched none).
    @discardableResult
    public mutating func apply(_ e: StoreEvent) -> Int? {
        withUnsafePointer(to: e) { apply(at: $0) }
    }

    /// `apply(_:)` on the event at `e`, read where it lies (a batch's buffer): each field is read on its own, so the
    /// event is never copied whole. Handing an event from an array's buffer to `apply(_:)` copied it (every
    /// string retained, then released: about 470 instructions an event, a sixth of the folding thread's).
    @discardableResult
    public mutating func apply(at e: UnsafePointer<StoreEvent>) -> Int? {
        apply(StoreEventInput(e))
    }

    /// Applies the fold event at `e`, whose strings are in `bytes` (its part's `FoldPart.withEvents`), and
    /// returns the index of the record it touched. The same fold as `apply(_:)` on the `StoreEvent` of the same
    /// line; a token's string is made only for its record, when the token is new.
    @discardableResult
    public mutating func apply(fold e: UnsafePointer<FoldEvent>, bytes: UnsafePointer<UInt8>) -> Int {
        apply(FoldEventInput(e: e, bytes: bytes))
    }

    /// Applies the events of `part` in order but those after `until`, and returns how many those were: what
    /// `apply(fold:bytes:)` on each does. The record index is probed a few events ahead (the tenant's id and the
    /// key's hash taken then, the slot asked into the cache), so the probe does not wait for memory: at a million
    /// tokens the table is 16 MB, and that wait was three fifths of `apply`'s samples. `idemtop-bench fold` on the
    /// 1M journal, the ledger sized beforehand: 104-114 ns an event, against 135-188 ns without.
    public mutating func apply(_ part: FoldPart, until: Instant?) -> Int {
        let distance = 16
        // The id of each of the part's tenants, taken when an event first needs it (a tenant only events after
        // `until` name stays unknown).
        var ids = [Int32](repeating: -1, count: part.tenants.count)
        // Likewise each of its operations' (`FoldEventInput.operationID` fills it).
        let operationIDs = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, part.operations.count))
        operationIDs.initialize(repeating: -1, count: part.operations.count)
        defer { operationIDs.deallocate() }
        return part.withEvents { events, bytes in
            withUnsafeTemporaryAllocation(of: (tenantID: Int32, hash: UInt64).self, capacity: distance) { keys in
                guard let base = events.baseAddress, let keys = keys.baseAddress else { return 0 }
                var later = 0
                var ahead = 0
                for i in events.indices {
                    while ahead < events.count && ahead < i + distance {
                        if until.map({ base[ahead].at <= $0 }) ?? true {
                            let e = FoldEventInput(e: base + ahead, bytes: bytes)
                            let slot = Int(base[ahead].tenantSlot)
                            var t = ids[slot]
                            if t < 0 {
                                t = e.tenantID(&tenants)
                                ids[slot] = t
                            }
                            let h = e.hash(tenantID: t)
                            index.prefetch(hash: h)
                            keys[ahead % distance] = (t, h)
                        }
                        ahead += 1
                    }
                    if let until, base[i].at > until {
                        later += 1
                    } else {
                        let key = keys[i % distance]
                        _ = apply(FoldEventInput(e: base + i, bytes: bytes, operationIDs: operationIDs),
                                  tenantID: key.tenantID, hash: key.hash)
                    }
                }
                return later
            }
        }
    }

    @inline(__always)
    private mutating func apply<E: FoldInput>(_ e: E) -> Int {
        let tenantID = e.tenantID(&tenants)
        return apply(e, tenantID: tenantID, hash: e.hash(tenantID: tenantID))
    }

    /// `apply` of an event whose tenant's id and key's hash are taken.
    @inline(__always)
    private mutating func apply<E: FoldInput>(_ e: E, tenantID: Int32, hash h: UInt64) -> Int {
        let kind = e.kind, outcome = e.outcome, at = e.at, store = e.store
        counts.add(kind, outcome)
        if lastEventAt.map({ at > $0 }) ?? true { lastEventAt = at }
        let i: Int
        if let found = recent.find(hash: h, tenantID, store, in: records, isToken: e.isToken) {
            i = Int(found)
        } else if let found = index.find(hash: h, tenantID, store, in: records, isToken: e.isToken) {
            i = Int(found)
            recent.note(hash: h, found)
        } else {
            let r = Ledger.firstRecord(e, tenantID: tenantID, operationID: e.operationID(&operations) ?? operations.id(""),
                                       policy: policy)
            if Int(store) >= storeCount { storeCount = Int(store) + 1 }
            i = records.count
            records.append(r)
            index.insert(Int32(i), hash: h)
            recent.note(hash: h, Int32(i))
        }
        Ledger.fold(&records[i], e, policy: policy, operationID: { e.operationID(&operations) })
        times.add(at: at, code: EventTimes.code(kind, outcome), record: i)
        return i
    }

    /// The record a token's first event makes, before that event is folded into it. A token's first event is
    /// normally its execution. A journal cut at the front may start with anything: make a record from what the
    /// event tells, so its hits and mismatches still count.
    static func firstRecord(_ e: StoreEvent, tenantID: Int32, operationID op: Int32, policy: Policy) -> TokenRecord {
        withUnsafePointer(to: e) { firstRecord(StoreEventInput($0), tenantID: tenantID, operationID: op, policy: policy) }
    }

    /// `firstRecord` of any event the fold reads.
    @inline(__always)
    private static func firstRecord<E: FoldInput>(_ e: E, tenantID: Int32, operationID op: Int32,
                                                  policy: Policy) -> TokenRecord {
        let at = e.at
        let stored: StoredStatus
        switch (e.kind, e.outcome) {
        case (.request, .conflict?): stored = .inProgress
        case (.request, .executed?), (.request, .reexecuted?): stored = .inProgress
        case (.failed, _): stored = .failed
        case (.purge, _): stored = .purged
        default: stored = .completed
        }
        var r = TokenRecord(
            tenantID: tenantID, operationID: op, token: e.token(), fingerprint: e.fingerprint ?? .none,
            stored: stored, createdAt: at, expiresAt: e.expiresAt ?? at + policy.retention,
            lockedUntil: e.lockedUntil ?? at + policy.lockTimeout)
        r.store = e.store
        return r
    }

    /// The state change one event makes to one record.
    static func fold(_ r: inout TokenRecord, _ e: StoreEvent, policy: Policy, operationID: (String) -> Int32) {
        withUnsafePointer(to: e) { p in
            fold(&r, StoreEventInput(p), policy: policy, operationID: { p.pointee.operation.map(operationID) })
        }
    }

    /// `fold` of any event the fold reads; `operationID` gives the id of the event's operation (nil: it has none).
    @inline(__always)
    private static func fold<E: FoldInput>(_ r: inout TokenRecord, _ e: E, policy: Policy,
                                           operationID: () -> Int32?) {
        let at = e.at
        switch e.kind {
        case .request:
            r.version += 1
            if at > r.lastSeen { r.lastSeen = at }
            let outcome = e.outcome ?? .replayed
            switch outcome {
            case .executed, .reexecuted:
                if let op = operationID() { r.operationID = op }
                if let fp = e.fingerprint { r.fingerprint = fp }
                r.stored = .inProgress
                r.createdAt = at
                r.updatedAt = at
                r.expiresAt = e.expiresAt ?? at + policy.retention
                r.lockedUntil = e.lockedUntil ?? at + policy.lockTimeout
                r.executions += 1
                r.responseStatus = 0
                r.requestRef = e.ref
                r.responseRef = -1
                if outcome == .reexecuted { r.reexecutions += 1 }
            case .replayed: r.hits += 1
            case .mismatch: r.mismatches += 1
            case .conflict: r.conflicts += 1
            }
        case .completed:
            r.version += 1
            r.stored = .completed
            r.updatedAt = at
            if let x = e.expiresAt { r.expiresAt = x }
            r.responseStatus = Int16(clamping: e.responseStatus ?? 0)
            r.responseRef = e.ref
        case .failed:
            r.version += 1
            r.stored = .failed
            r.updatedAt = at
        case .purge:
            r.version += 1
            r.adminEvents += 1
            r.stored = .purged
            r.updatedAt = at
        case .replay:
            r.adminEvents += 1
        }
    }
}

/// What the fold reads of one event: a `StoreEvent` where it lies, or a `FoldEvent` with its part's bytes. The fold
/// is written once, over this; each kind of event is read through its own (specialised) view.
protocol FoldInput {
    var kind: EventKind { get }
    var outcome: Outcome? { get }
    var at: Instant { get }
    var store: UInt8 { get }
    var expiresAt: Instant? { get }
    var lockedUntil: Instant? { get }
    var responseStatus: Int? { get }
    var ref: Int64 { get }
    var fingerprint: Fingerprint? { get }
    /// Its tenant's id in `tenants`, added when new.
    func tenantID(_ tenants: inout Interner) -> Int32
    /// Its operation's id in `operations`, added when new; nil when it has none.
    func operationID(_ operations: inout Interner) -> Int32?
    /// `RecordIndex.hash` of its key, given its tenant's id.
    func hash(tenantID: Int32) -> UInt64
    /// Whether `token` is its token.
    func isToken(_ token: String) -> Bool
    /// Its token, as its record keeps it.
    func token() -> String
}

/// A `StoreEvent` read field by field where it lies (never copied whole: that retained every string).
struct StoreEventInput: FoldInput {
    let e: UnsafePointer<StoreEvent>
    init(_ e: UnsafePointer<StoreEvent>) { self.e = e }

    var kind: EventKind { e.pointee.kind }
    var outcome: Outcome? { e.pointee.outcome }
    var at: Instant { e.pointee.at }
    var store: UInt8 { e.pointee.store }
    var expiresAt: Instant? { e.pointee.expiresAt }
    var lockedUntil: Instant? { e.pointee.lockedUntil }
    var responseStatus: Int? { e.pointee.responseStatus }
    var ref: Int64 { e.pointee.ref }
    var fingerprint: Fingerprint? { e.pointee.fingerprint }
    func tenantID(_ tenants: inout Interner) -> Int32 { tenants.id(e.pointee.tenant) }
    func operationID(_ operations: inout Interner) -> Int32? { e.pointee.operation.map { operations.id($0) } }
    func hash(tenantID: Int32) -> UInt64 { RecordIndex.hash(tenantID, e.pointee.store, e.pointee.token) }
    func isToken(_ token: String) -> Bool { token == e.pointee.token }
    func token() -> String { e.pointee.token }
}

/// A `FoldEvent` and the bytes its spans point into.
struct FoldEventInput: FoldInput {
    let e: UnsafePointer<FoldEvent>
    let bytes: UnsafePointer<UInt8>
    /// The operation ids of its part's `operations` found so far (-1: not yet), when folded as part of one.
    var operationIDs: UnsafeMutablePointer<Int32>? = nil

    @inline(__always) private func text(_ s: ByteSpan) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: bytes + Int(s.start), count: Int(s.count))
    }

    var kind: EventKind { e.pointee.kind }
    var outcome: Outcome? { e.pointee.outcome }
    var at: Instant { e.pointee.at }
    var store: UInt8 { 0 }
    var expiresAt: Instant? { e.pointee.expiresAt }
    var lockedUntil: Instant? { e.pointee.lockedUntil }
    var responseStatus: Int? { e.pointee.responseStatus }
    var ref: Int64 { e.pointee.ref }
    var fingerprint: Fingerprint? {
        switch e.pointee.fingerprint {
        case .none: return nil
        case .sha256(let a, let b, let c, let d): return Fingerprint(storage: .sha256(a, b, c, d))
        case .text(let s): return Fingerprint(storage: .text(String(decoding: text(s), as: UTF8.self)))
        }
    }
    func tenantID(_ tenants: inout Interner) -> Int32 { tenants.id(bytes: text(e.pointee.tenant)) }
    func operationID(_ operations: inout Interner) -> Int32? {
        guard let op = e.pointee.operation else { return nil }
        let slot = e.pointee.operationSlot
        guard let known = operationIDs, slot != FoldEvent.noSlot else { return operations.id(bytes: text(op)) }
        if known[Int(slot)] < 0 { known[Int(slot)] = operations.id(bytes: text(op)) }
        return known[Int(slot)]
    }
    func hash(tenantID: Int32) -> UInt64 { RecordIndex.hash(tenantID, 0, bytes: text(e.pointee.token)) }
    func isToken(_ token: String) -> Bool { Interner.equal(token, text(e.pointee.token)) }
    func token() -> String { String(decoding: text(e.pointee.token), as: UTF8.self) }
}

/// Totals over all events applied, by kind and outcome.
///
/// Counted in fixed arrays indexed by the cases' positions: this runs for every event of a load.
public struct EventCounts: Sendable, Hashable {
    public var events = 0
    public var requests = 0
    var outcomes = [Int](repeating: 0, count: Outcome.allCases.count)
    var kinds = [Int](repeating: 0, count: EventKind.allCases.count)

    public init() {}

    public mutating func add(_ e: StoreEvent) { add(e.kind, e.outcome) }

    /// `add(_:)` for an event of `kind` with `outcome`.
    @inline(__always)
    mutating func add(_ kind: EventKind, _ outcome: Outcome?) {
        events += 1
        kinds[EventCounts.position(kind)] += 1
        if kind == .request {
            requests += 1
            outcomes[EventCounts.position(outcome ?? .replayed)] += 1
        }
    }

    /// Adds `count` events of `kind` (to the events, the requests and the totals by kind), or `count` requests
    /// with `outcome` (to the totals by outcome only): how a store that counts by itself (SQLite's summary) fills
    /// in what `add(_:)` would have.
    public mutating func add(kind: EventKind?, outcome: Outcome?, count: Int) {
        if let kind {
            events += count
            kinds[EventCounts.position(kind)] += count
            if kind == .request { requests += count }
        }
        if let outcome { outcomes[EventCounts.position(outcome)] += count }
    }

    public subscript(o: Outcome) -> Int { outcomes[EventCounts.position(o)] }
    public subscript(k: EventKind) -> Int { kinds[EventCounts.position(k)] }

    @inline(__always)
    static func position(_ o: Outcome) -> Int {
        switch o {
        case .executed: return 0
        case .replayed: return 1
        case .mismatch: return 2
        case .conflict: return 3
        case .reexecuted: return 4
        }
    }

    @inline(__always)
    static func position(_ k: EventKind) -> Int {
        switch k {
        case .request: return 0
        case .completed: return 1
        case .failed: return 2
        case .purge: return 3
        case .replay: return 4
        }
    }
}

/// A line or row a reader could not decode, and why.
public struct MalformedEntry: Sendable, Hashable {
    /// The 1-based line number (journal) or seq (SQLite).
    public var position: Int64
    public var reason: String
    public init(position: Int64, reason: String) {
        self.position = position
        self.reason = reason
    }
}
