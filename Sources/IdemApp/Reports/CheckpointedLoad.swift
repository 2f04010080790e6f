import IdemCore
import IdemStore

extension LoadedStore {
    /// `load(_:registry:policy:until:tokenIndex:)` for a one-shot read that opens no token (`stats`, `list`), through
    /// the journal's fold checkpoint in `cacheFolder` when there is one: only the lines appended since it are read
    /// and folded onto the ledger it holds, the same ledger a whole read folds. The checkpoint is written anew when
    /// it was missing or discarded, or when it is behind by a real fraction (`shouldRewrite`); a short tail is
    /// folded in memory and read again next time. With `until` (`--at`) the checkpoint is used only when its newest
    /// event is not after `until` (the fold is order-dependent: a later event must not be in it), and written only
    /// when no event read was after `until` (then the fold up to `until` is the whole journal's). Several stores,
    /// a store that is not a journal or a nil `cacheFolder` (`--no-cache`) read the whole store, as `load` does;
    /// `notes` gets the checkpoint's notices.
    public static func loadCheckpointed(_ locations: [StoreLocation], registry: StoreRegistry, policy: Policy,
                                        until: Instant?, cacheFolder: String?,
                                        notes: inout [String]) throws -> LoadedStore {
        guard locations.count == 1, let location = locations.first, location.kind == JournalDriver.kind,
              let folder = cacheFolder,
              let reader = try registry.reader(location, mode: .readOnly) as? JournalReader else {
            return try load(locations, registry: registry, policy: policy, until: until, tokenIndex: false)
        }
        reader.dropTokenIndex()
        var ledger = Ledger(policy: policy)
        var covered: Int64 = -1, checkpointBytes: Int64 = 0
        do {
            if let opened = try JournalFoldCheckpoint.open(journal: location.path, policy: policy, folder: folder) {
                if let until, let last = try opened.view().meta.lastEventAt, last > until {
                    // Events after `until` are in it: the store as it stood then is read whole (and the checkpoint
                    // kept for the reads it serves).
                    return try load(locations, registry: registry, policy: policy, until: until, tokenIndex: false)
                }
                (ledger, covered, checkpointBytes) = (try opened.ledger(), opened.covered, opened.bytes)
                reader.resume(at: opened.covered, lines: opened.lines)
            }
        } catch let rejected as JournalTokenIndex.Rejection {
            notes.append("\(rejected); reading the whole journal and rebuilding it")
        }
        var later = 0
        try fold(reader, onto: &ledger, until: until, later: &later)
        let notices = reader.drainNotices()
        if notices.isEmpty && later == 0
            && shouldRewrite(covered: covered, checkpointBytes: checkpointBytes, now: reader.offset) {
            do {
                try JournalFoldCheckpoint.write(ledger, journal: location.path, covered: reader.offset,
                                                lines: reader.linesRead, folder: folder)
            } catch {
                notes.append("the fold checkpoint was not written (\(error))")
            }
        }
        return LoadedStore(ledger: ledger, readers: [reader], notices: notices, entryNoun: registry.entryNoun(location))
    }

    /// Whether a fold checkpoint that covered `covered` bytes (-1: there was none) in a file of `checkpointBytes`
    /// is worth writing again now that the journal was read to `now`.
    ///
    /// Rewriting costs writing the whole checkpoint again; not rewriting costs folding the tail again on every
    /// reopen until it is. Measured at a million tokens (cold `stats` with and without `--no-cache`, alternating):
    /// the fold reads about 310 MB of journal per CPU second, and writing the checkpoint (218 MB, 1/7 of the
    /// journal) adds about 0.4 CPU seconds, what folding about 125 MB of journal costs. So at half the
    /// checkpoint's size (109 MB here) a reopen spends on the tail about what one rewrite costs: the rewrite pays
    /// for itself by the next open, while below that folding the tail is the cheaper of the two and a live
    /// journal's `stats` no longer rewrites the whole checkpoint for every few lines appended. The checkpoint stays
    /// valid for the prefix it covers meanwhile.
    static func shouldRewrite(covered: Int64, checkpointBytes: Int64, now: Int64) -> Bool {
        guard covered >= 0 else { return true }
        let appended = now - covered
        return appended > 0 && appended * 2 >= checkpointBytes
    }
}
