import IdemCore
import IdemStore

/// What `show TOKEN` reads: the token's record folded from its events, its detail, and the store's malformed-line
/// warning, through the journal's token index checkpoint when there is a valid one.
///
/// With a checkpoint only the token's indexed lines and the lines appended since are read, and the ledger holds the
/// token's records alone (a record folds from its own events only, so it is the one a whole read gives). Without
/// one the whole store is read as `LoadedStore` does and, for a journal, the checkpoint is written for next time.
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
        var builder = JournalTokenIndexBuilder()
        let collect = journal != nil
        let loaded = try LoadedStore.load(location, registry: registry, policy: policy, until: until,
                                          read: { if collect { builder.add($0) } })
        if let folder = journal, let reader = loaded.reader as? JournalReader, loaded.notices.isEmpty {
            do {
                try builder.write(journal: location.path, covered: reader.offset, lines: reader.linesRead,
                                  malformed: loaded.ledger.malformedCount, firstMalformed: loaded.ledger.malformed.first,
                                  folder: folder)
            } catch {
                notices.append("the token index checkpoint was not written (\(error))")
            }
        }
        let reader = loaded.reader
        return ShowLoad(ledger: loaded.ledger, detail: { try reader.detail(for: $0) },
                        malformedWarning: loaded.malformedWarning, notices: notices)
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
