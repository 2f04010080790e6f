import IdemCore
import IdemStore

/// What `show TOKEN` reads: the token's record folded from its events, its detail, and the store's malformed-line
/// warning, through the journal's token index checkpoint when there is a valid one.
///
/// With a checkpoint only the token's indexed lines and the lines appended since are read, and the ledger holds the
/// token's records alone (a record folds from its own events only, so it is the one a whole read gives). Without
/// one a journal is read whole once to write the checkpoint (folding nothing), and answered through it; a store
/// that is not a journal, `--no-cache`, or a checkpoint that cannot be written reads the whole store as
/// `LoadedStore` does.
public struct ShowLoad {
    public var ledger: Ledger
    public var detail: (TokenKey) throws -> TokenDetail
    public var malformedWarning: String?
    /// One-line notices about the checkpoint (discarded, not written), for stderr.
    public var notices: [String] = []
    /// Whether the answer came through the checkpoint.
    public var indexed = false

    /// Reads `token` of the store at `location`. `cacheFolder` nil (`--no-cache`, or no folder known) neither reads
    /// nor writes a checkpoint.
    public static func load(_ location: StoreLocation, token: String, registry: StoreRegistry, policy: Policy,
                            until: Instant?, cacheFolder: String?) throws -> ShowLoad {
        var notices: [String] = []
        let journal = location.kind == JournalDriver.kind ? cacheFolder : nil
        if let folder = journal {
            do {
                if let read = try JournalTokenCache.read(journal: location.path, token: token, folder: folder) {
                    return indexed(read, policy: policy, until: until, noun: registry.entryNoun(location))
                }
            } catch let rejected as JournalTokenIndex.Rejection {
                notices.append("\(rejected); reading the whole journal and rebuilding it")
            }
        }
        if let folder = journal {
            do {
                if var cold = try indexWhole(location, token: token, registry: registry, policy: policy, until: until,
                                             folder: folder, notices: &notices) {
                    cold.notices = notices
                    return cold
                }
            } catch let rejected as JournalTokenIndex.Rejection {
                notices.append("\(rejected); reading the whole journal")
            }
        }
        let loaded = try LoadedStore.load(location, registry: registry, policy: policy, until: until)
        let reader = loaded.reader
        return ShowLoad(ledger: loaded.ledger, detail: { try reader.detail(for: $0) },
                        malformedWarning: loaded.malformedWarning, notices: notices)
    }

    /// A journal without a valid token index: one whole read that folds nothing and only files every line under
    /// its token's hash (16 bytes an event, no ledger: at a million tokens the cold show held 460 MB with the
    /// fold), writes the index, and answers through it as a warm `show` does. Nil when the read had notices or
    /// the index could not be written (then the caller reads the whole journal as before).
    private static func indexWhole(_ location: StoreLocation, token: String, registry: StoreRegistry, policy: Policy,
                                   until: Instant?, folder: String, notices: inout [String]) throws -> ShowLoad? {
        guard let reader = try registry.reader(location, mode: .readOnly) as? JournalReader else { return nil }
        reader.dropTokenIndex()
        var builder = JournalTokenIndexBuilder()
        var malformed = 0
        var first: MalformedEntry?
        try ReadAhead.drain(reader) { events, bad in
            for e in events { builder.add(e) }
            for m in bad {
                if malformed == 0 { first = m }
                malformed += 1
            }
        }
        guard reader.drainNotices().isEmpty else { return nil }
        do {
            try builder.write(journal: location.path, covered: reader.offset, lines: reader.linesRead,
                              malformed: malformed, firstMalformed: first, folder: folder)
        } catch {
            notices.append("the token index checkpoint was not written (\(error))")
            return nil
        }
        guard let read = try JournalTokenCache.read(journal: location.path, token: token, folder: folder) else {
            return nil
        }
        return indexed(read, policy: policy, until: until, noun: registry.entryNoun(location))
    }

    private static func indexed(_ read: IndexedTokenRead, policy: Policy, until: Instant?, noun: String) -> ShowLoad {
        var ledger = Ledger(policy: policy)
        for e in read.events where until.map({ e.at <= $0 }) ?? true { ledger.apply(e) }
        if let first = read.firstMalformed {
            for _ in 0..<read.malformedCount { ledger.noteMalformed(first) }
        }
        let loaded = LoadedStore(ledger: ledger, readers: [], notices: [], entryNoun: noun)
        return ShowLoad(ledger: ledger, detail: { try read.detail(for: $0) }, malformedWarning: loaded.malformedWarning,
                        indexed: true)
    }
}
