import IdemCore
import IdemStore

extension StatsReport {
    /// The summary of one journal with statuses at `now` through its fold checkpoint read in place
    /// (`LedgerImageView`): the tokens by status come from the checkpoint's columns, and only the records the lines
    /// appended since touch are decoded and folded (`ImageTailFold`), so the ledger is never built. The same
    /// figures `LoadedStore.loadCheckpointed` and a whole read give, and its malformed-line warning.
    ///
    /// Nil (the caller folds, through `loadCheckpointed`) when there is no valid checkpoint (one that cannot be
    /// trusted is deleted with a notice in `notes`), when its newest event is after `until` (`--at`), or when the
    /// appended lines are worth a new checkpoint (`LoadedStore.shouldRewrite`: that needs the whole ledger). The
    /// checkpoint and the journal are never written here.
    public static func throughCheckpoint(_ locations: [StoreLocation], registry: StoreRegistry, policy: Policy,
                                         now: Instant, until: Instant?, cacheFolder: String?,
                                         notes: inout [String]) throws -> (report: StatsReport, malformedWarning: String?)? {
        guard locations.count == 1, let location = locations.first, location.kind == JournalDriver.kind,
              let folder = cacheFolder else { return nil }
        let again = "; reading the whole journal and rebuilding it"
        let opened: JournalFoldCheckpoint.Opened
        do {
            guard let o = try JournalFoldCheckpoint.open(journal: location.path, policy: policy, folder: folder) else {
                return nil
            }
            opened = o
        } catch let rejected as JournalTokenIndex.Rejection {
            notes.append("\(rejected)\(again)")
            return nil
        }
        guard !LoadedStore.shouldRewrite(covered: opened.covered, checkpointBytes: opened.bytes, now: opened.journalSize),
              let reader = try registry.reader(location, mode: .readOnly) as? JournalReader else { return nil }
        reader.dropTokenIndex()
        do {
            var fold = ImageTailFold(try opened.view())
            if let until, let last = fold.ledger.lastEventAt, last > until { return nil }
            reader.resume(at: opened.covered, lines: opened.lines)
            try ReadAhead.drain(reader) { events, malformed in
                try events.withUnsafeBufferPointer { b in
                    for i in b.indices where until.map({ b[i].at <= $0 }) ?? true { try fold.apply(b[i]) }
                }
                for m in malformed { fold.noteMalformed(m) }
            }
            let ledger = fold.ledger
            let report = StatsReport(counts: ledger.counts, statuses: try fold.statuses(at: now), tokens: fold.tokens,
                                     tenants: ledger.tenants.count, malformed: ledger.malformedCount,
                                     lastEventAt: ledger.lastEventAt)
            let warning = LoadedStore(ledger: ledger, readers: [reader], notices: [],
                                      entryNoun: registry.entryNoun(location)).malformedWarning
            return (report, warning)
        } catch let rejected as JournalTokenIndex.Rejection {
            opened.discard()
            notes.append("\(rejected)\(again)")
            return nil
        } catch is LedgerImage.Invalid {
            opened.discard()
            notes.append("the fold checkpoint is corrupt\(again)")
            return nil
        }
    }
}
