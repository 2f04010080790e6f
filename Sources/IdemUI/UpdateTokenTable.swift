import IdemCore

/// A store read whole from its token table (a SQLite store's `idem_tokens`, `Message.tokenTable`) instead of folded
/// event by event, and the events that follow it as history (`Message.history`) for what only they tell.
extension AppState {
    /// Takes every token at once: the table, its statuses and the row index are those of the store now. The
    /// findings, rates, tail and event times come from the history that follows.
    mutating func takeTokenTable(_ table: Ledger) {
        ledger = table
        tally = StatusTally(ledger: table, now: now)
        findings.dirty = true
        indexStale = true
    }

    /// Events the token table already holds, in store order: they feed the findings, the rates, the tail and the
    /// event times (`at:` windows, the histogram), and leave the records as they are.
    mutating func takeHistory(_ batch: [StoreEvent]) {
        for e in shown(batch) {
            ledger.noteTime(e)
            rates.add(e)
            findings.observe(e)
            if Tail.shows(e) { tail.add(e) }
        }
        findings.dirty = true
    }
}
