import IdemCore
import IdemStore

/// A whole store read into a ledger, the way `list`, `show`, `stats`, `audit` and `purge` need it.
public struct LoadedStore {
    public var ledger: Ledger
    public var reader: any EventReader
    public var notices: [String]
    /// What a malformed entry of this store's kind is called ("line(s)", "row(s)").
    public var entryNoun: String

    /// Opens `location` read-only and folds every event in it, or those up to `until` (for `--at TIME`: the
    /// store as it stood then). `observe` sees each folded event too.
    public static func load(_ location: StoreLocation, registry: StoreRegistry, policy: Policy, until: Instant? = nil,
                            observe: (StoreEvent) -> Void = { _ in }) throws -> LoadedStore {
        let reader = try registry.reader(location, mode: .readOnly)
        var ledger = Ledger(policy: policy)
        // Decoding runs on a thread of its own while this one folds.
        try ReadAhead.drain(reader) { events, malformed in
            for e in events {
                if let until, e.at > until { continue }
                ledger.apply(e)
                observe(e)
            }
            for m in malformed { ledger.noteMalformed(m) }
        }
        return LoadedStore(ledger: ledger, reader: reader, notices: reader.drainNotices(),
                           entryNoun: registry.entryNoun(location))
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
