import IdemCore
import IdemStore

extension LoadedStore {
    /// `load(_:registry:policy:until:tokenIndex:)` for a one-shot read that opens no token (`stats`, `list`), through
    /// the journal's fold checkpoint in `cacheFolder` when there is one: only the lines appended since it are read
    /// and folded onto the ledger it holds, the same ledger a whole read folds. The checkpoint is written anew when
    /// it was missing, discarded or behind. Several stores, a store that is not a journal, `until` (`--at`) or a
    /// nil `cacheFolder` (`--no-cache`) read the whole store, as `load` does; `notes` gets the checkpoint's notices.
    public static func loadCheckpointed(_ locations: [StoreLocation], registry: StoreRegistry, policy: Policy,
                                        until: Instant?, cacheFolder: String?,
                                        notes: inout [String]) throws -> LoadedStore {
        guard locations.count == 1, let location = locations.first, location.kind == JournalDriver.kind,
              until == nil, let folder = cacheFolder,
              let reader = try registry.reader(location, mode: .readOnly) as? JournalReader else {
            return try load(locations, registry: registry, policy: policy, until: until, tokenIndex: false)
        }
        reader.dropTokenIndex()
        var ledger = Ledger(policy: policy)
        var covered: Int64 = -1
        do {
            if let found = try JournalFoldCheckpoint.read(journal: location.path, policy: policy, folder: folder) {
                (ledger, covered) = (found.ledger, found.covered)
                reader.resume(at: found.covered, lines: found.lines)
            }
        } catch let rejected as JournalTokenIndex.Rejection {
            notes.append("\(rejected); reading the whole journal and rebuilding it")
        }
        try ReadAhead.drain(reader) { events, malformed in
            for e in events { ledger.apply(e) }
            for m in malformed { ledger.noteMalformed(m) }
        }
        let notices = reader.drainNotices()
        if notices.isEmpty && reader.offset != covered {
            do {
                try JournalFoldCheckpoint.write(ledger, journal: location.path, covered: reader.offset,
                                                lines: reader.linesRead, folder: folder)
            } catch {
                notes.append("the fold checkpoint was not written (\(error))")
            }
        }
        return LoadedStore(ledger: ledger, readers: [reader], notices: notices, entryNoun: registry.entryNoun(location))
    }
}
