import IdemCore
import IdemStore

/// Reads a whole store into a ledger, the way `list`, `show` and `stats` need it.
struct LoadedStore {
    var ledger: Ledger
    var reader: any EventReader
    var notices: [String]

    /// Opens `location` read-only and folds every event in it, or those up to `until` (for `--at TIME`: the
    /// store as it stood then). `observe` sees each folded event too.
    static func load(_ location: StoreLocation, policy: Policy, until: Instant? = nil,
                     observe: (StoreEvent) -> Void = { _ in }) throws -> LoadedStore {
        let reader = try stores.reader(location, mode: .readOnly)
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
        return LoadedStore(ledger: ledger, reader: reader, notices: reader.drainNotices())
    }

    /// Writes a one-line note about malformed entries to stderr, so a listing never hides that lines were skipped.
    func reportMalformed() {
        guard ledger.malformedCount > 0 else { return }
        let first = ledger.malformed.first.map { " (first at \($0.position): \($0.reason))" } ?? ""
        printError("idemtop: warning: \(ledger.malformedCount) malformed \(stores.entryNoun(reader.location)) skipped\(first)")
    }
}
