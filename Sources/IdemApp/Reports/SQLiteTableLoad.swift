import IdemCore
import IdemStore

extension LoadedStore {
    /// The one SQLite store of `locations` read from its token table (`SQLiteTokenTable`: `idem_tokens` and
    /// aggregates over `idem_events`, no event folded), with its reader placed after the events the table covers;
    /// nil when that cannot give the fold's ledger (several stores, another kind, schema version 1, a malformed
    /// row, an event after `until`, token rows that do not add up): the caller folds the events as before.
    public static func fromTokenTable(_ locations: [StoreLocation], registry: StoreRegistry, policy: Policy,
                                      until: Instant?) throws -> LoadedStore? {
        guard locations.count == 1, let location = locations.first, location.kind == SQLiteDriver.kind,
              let table = try SQLiteTokenTable.read(path: location.path, until: until, policy: policy),
              let reader = try registry.reader(location, mode: .readOnly) as? SQLiteReader else { return nil }
        reader.skip(to: table.lastSeq)
        return LoadedStore(ledger: table.ledger, readers: [reader], notices: reader.drainNotices(),
                           entryNoun: registry.entryNoun(location))
    }
}
