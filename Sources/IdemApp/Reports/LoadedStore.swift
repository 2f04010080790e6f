import IdemCore
import IdemStore

/// A whole store read into a ledger, the way `list`, `show`, `stats`, `audit` and `purge` need it.
public struct LoadedStore {
    public var ledger: Ledger
    /// The stores' readers, by store number.
    public var readers: [any EventReader]
    /// The first (or only) store's reader.
    public var reader: any EventReader { readers[0] }
    public var notices: [String]
    /// What a malformed entry of this store's kind is called ("line(s)", "row(s)").
    public var entryNoun: String

    /// Opens `location` read-only and folds every event in it, or those up to `until` (for `--at TIME`: the
    /// store as it stood then). `observe` sees each folded event too. Without `tokenIndex` a journal keeps no
    /// per-token chains (the caller never asks for a token's detail). `read` sees every event read, folded or not.
    public static func load(_ location: StoreLocation, registry: StoreRegistry, policy: Policy, until: Instant? = nil,
                            tokenIndex: Bool = true, read: ((StoreEvent) -> Void)? = nil,
                            observe: ((StoreEvent) -> Void)? = nil) throws -> LoadedStore {
        let reader = try registry.reader(location, mode: .readOnly)
        if !tokenIndex, let journal = reader as? JournalReader { journal.dropTokenIndex() }
        var ledger = Ledger(policy: policy)
        ledger.reserveCapacity(tokens: reader.expectedTokens)
        if read == nil && observe == nil {
            var later = 0
            try fold(reader, onto: &ledger, until: until, later: &later)
        } else {
            var estimate = LoadSizeEstimate(reader, ledger)
            // Decoding runs on a thread of its own while this one folds.
            try ReadAhead.drain(reader) { events, malformed in
                estimate.reserve(&ledger, before: events.first?.ref)
                for e in events {
                    read?(e)
                    if let until, e.at > until { continue }
                    ledger.apply(e)
                    observe?(e)
                }
                for m in malformed { ledger.noteMalformed(m) }
            }
        }
        return LoadedStore(ledger: ledger, readers: [reader], notices: reader.drainNotices(),
                           entryNoun: registry.entryNoun(location))
    }

    /// Folds every event `reader` yields onto `ledger`, decoding on a thread of its own while this one folds;
    /// with `until`, only the events up to it, counting in `later` those after it. A journal that keeps no token
    /// chains is read as `FoldEvent`s (`ReadAhead.drainFolds`): no `StoreEvent` is made, nor any string but the
    /// new tokens' (the fold is the same).
    static func fold(_ reader: any EventReader, onto ledger: inout Ledger, until: Instant?, later: inout Int) throws {
        if let journal = reader as? JournalReader, !journal.keepsTokenIndex {
            var estimate = LoadSizeEstimate(reader, ledger, prefault: true)
            try ReadAhead.drainFolds(journal) { part, malformed in
                estimate.reserve(&ledger, before: part.events.first?.ref)
                later += ledger.apply(part, until: until)
                for m in malformed { ledger.noteMalformed(m) }
            }
            return
        }
        var estimate = LoadSizeEstimate(reader, ledger)
        try ReadAhead.drain(reader) { events, malformed in
            estimate.reserve(&ledger, before: events.first?.ref)
            // Through the buffer, each event folded where it lies: `for e in events` copied every event (its
            // strings retained and released again), and so does handing one to a closure or to `apply(_:)`.
            events.withUnsafeBufferPointer { b in
                guard let base = b.baseAddress else { return }
                for i in b.indices {
                    if let until, base[i].at > until {
                        later += 1
                    } else {
                        ledger.apply(at: base + i)
                    }
                }
            }
            for m in malformed { ledger.noteMalformed(m) }
        }
    }

    /// Several stores folded into one ledger, each record keeping its store's number (its place in `locations`)
    /// and the ledger the stores' names. Their events are folded in time order across the stores, so the detectors
    /// see one timeline (a payload executed under two tokens in two stores is found as in one); that holds every
    /// store's events in memory at once. One location loads as `load(_:)` does.
    public static func load(_ locations: [StoreLocation], registry: StoreRegistry, policy: Policy,
                            until: Instant? = nil, tokenIndex: Bool = true,
                            observe: ((StoreEvent) -> Void)? = nil) throws -> LoadedStore {
        if locations.count == 1 {
            return try load(locations[0], registry: registry, policy: policy, until: until, tokenIndex: tokenIndex,
                            observe: observe)
        }
        guard locations.count < 256 else { throw StoreError.usage("at most 255 stores in one view") }
        var all: [StoreEvent] = []
        var malformed: [MalformedEntry] = []
        var readers: [any EventReader] = []
        var notices: [String] = []
        for (n, location) in locations.enumerated() {
            let reader = try registry.reader(location, mode: .readOnly)
            try ReadAhead.drain(reader) { events, bad in
                for var e in events where until.map({ e.at <= $0 }) ?? true {
                    e.store = UInt8(n)
                    all.append(e)
                }
                malformed += bad
            }
            readers.append(reader)
            notices += reader.drainNotices().map { "\(location.displayName): \($0)" }
        }
        // Stable: events of one store at the same instant keep their order.
        let order = all.indices.sorted { (all[$0].at, $0) < (all[$1].at, $1) }
        var ledger = Ledger(policy: policy)
        ledger.storeNames = locations.map(\.displayName)
        for i in order {
            ledger.apply(all[i])
            observe?(all[i])
        }
        for m in malformed { ledger.noteMalformed(m) }
        let nouns = Set(locations.map { registry.entryNoun($0) })
        return LoadedStore(ledger: ledger, readers: readers, notices: notices,
                           entryNoun: nouns.count == 1 ? nouns.first ?? "entries" : "entries")
    }

    /// What the stores' readers found beyond their events (see `FindingSource`), by store number.
    public var storeFindings: [(store: UInt8, findings: [Finding])] {
        readers.enumerated().compactMap { n, r in
            guard let source = r as? FindingSource, n < 256 else { return nil }
            return (UInt8(n), source.storeFindings)
        }
    }

    /// Hands `storeFindings` to `detector`, so its report has them with its own.
    public func supplyFindings(to detector: inout FindingsDetector) {
        for (store, findings) in storeFindings { detector.supply(findings, store: store) }
    }

    /// A one-line warning about malformed entries, so a listing never hides that lines were skipped; nil when
    /// there were none.
    public var malformedWarning: String? {
        guard ledger.malformedCount > 0 else { return nil }
        let first = ledger.malformed.first.map { " (first at \($0.position): \($0.reason))" } ?? ""
        return "warning: \(ledger.malformedCount) malformed \(entryNoun) skipped\(first)"
    }

    /// Writes `malformedWarning` to stderr, if any.
    public func reportMalformed() {
        if let line = malformedWarning { printError("idemtop: " + line) }
    }
}

/// A journal's final size in records and events, extrapolated once a sixteenth of it is folded from the start (at least 8 MB), so
/// the ledger reserves its arrays once (`Ledger.reserveCapacity(tokens:events:indexed:)`) instead of doubling them to
/// the end: at a million tokens the last doublings copied 75 MB of records and 20 MB of times into fresh pages, a
/// tenth of the folding thread's time. Records and times get 1/8 of headroom (address space only, until used), the
/// record index the plain estimate (its slots are zeroed, so resident). Other stores (no byte offsets) do nothing.
struct LoadSizeEstimate {
    private var start: Int64 = 0
    private var total: Int64 = 0
    private var done = true
    /// Whether the reserved room is faulted in beside the fold (`Ledger.prefaultReservedRoom`): for a load that only
    /// folds, where it took a tenth of the folding thread's time and left the peak the same. Not where `StoreEvent`s
    /// are decoded and kept (`audit`'s detectors, token chains): their peak comes part-way through the read, and the
    /// room faulted in early added to it (1M journal, audit: 535-539 MiB against 505-507 MiB).
    private let prefault: Bool

    /// For `reader` about to fold onto `ledger`: only from an empty ledger (the counts so far are what scales).
    init(_ reader: any EventReader, _ ledger: Ledger, prefault: Bool = false) {
        self.prefault = prefault
        if let journal = reader as? JournalReader, ledger.count == 0 {
            start = journal.offset
            total = journal.progress.total
            done = total - start < 64 << 20
        }
    }

    /// Reserves, once, when the batch about to be folded, whose first event is at file offset `first`, starts past a
    /// sixteenth of the file.
    mutating func reserve(_ ledger: inout Ledger, before first: Int64?) {
        guard !done, let first, first - start >= max((total - start) / 16, 8 << 20) else { return }
        done = true
        let scale = Double(total - start) / Double(first - start)
        ledger.reserveCapacity(tokens: Int(Double(ledger.count) * scale * 1.125),
                               events: Int(Double(ledger.times.count) * scale * 1.125),
                               indexed: Int(Double(ledger.count) * scale))
        if prefault {
            ledger.prefaultReservedRoom(tokens: Int(Double(ledger.count) * scale),
                                        events: Int(Double(ledger.times.count) * scale))
        }
    }
}
