import CSQLite
import Foundation
import IdemCore

/// The counts over `idem_events` that `SQLiteSummary.countsSQL` computes, for a range of seqs or the whole table:
/// events by kind and by outcome, and the newest event time. Nil from `run` when a row is malformed.
struct EventScan: Sendable {
    /// count(*), then the five kinds, then the five outcomes (the first 11 fields of `idem_tally`).
    var totals = [Int64](repeating: 0, count: 11)
    var newest: Int64?

    /// The counts as the fold keeps them.
    var counts: EventCounts {
        var c = EventCounts()
        let kinds: [EventKind] = [.request, .completed, .failed, .purge, .replay]
        let outcomes: [Outcome] = [.executed, .replayed, .mismatch, .conflict, .reexecuted]
        for (k, kind) in kinds.enumerated() { c.add(kind: kind, outcome: nil, count: Int(totals[1 + k])) }
        for (k, outcome) in outcomes.enumerated() { c.add(kind: nil, outcome: outcome, count: Int(totals[6 + k])) }
        return c
    }

    /// Both halves together.
    func adding(_ other: EventScan) -> EventScan {
        var sum = self
        for i in totals.indices { sum.totals[i] += other.totals[i] }
        if let n = other.newest { sum.newest = max(newest ?? n, n) }
        return sum
    }

    /// The counts of seqs `lo` to `hi` on `db`, or nil when a row there is malformed.
    static func scan(_ db: SQLiteConnection, from lo: Int64, to hi: Int64) throws -> EventScan? {
        try db.registerTally()
        let c = try db.prepare(SQLiteSummary.countsSQL)
        try c.bind(1, lo)
        try c.bind(2, hi)
        guard try c.step() else { return nil }
        let fields = c.int64s(0, count: Int(IDEM_TALLY_FIELDS))
        // Fields: rows, five kinds, five outcomes (as `totals`), the newest time, rows malformed, a newest at all.
        guard let fields, fields[12] == 0 else { return nil }
        var s = EventScan()
        for i in s.totals.indices { s.totals[i] = fields[i] }
        s.newest = fields[13] != 0 ? fields[11] : nil
        return s
    }

    /// Counts every event of the read transaction open on `db`, on both cores: a second read-only connection
    /// (on a thread of its own) runs `there` and counts the first `otherShare` percent of the seqs while `db` runs
    /// `here` (the other queries of the caller) and then counts the rest. Returns the counts and the highest seq
    /// counted, or nil when a row is malformed. Up to `splitAbove` rows, one connection counts them all and `there`
    /// is not run.
    ///
    /// Both see the same rows: the highest seq is read in `db`'s transaction before the other connection begins
    /// its own (so that one's snapshot holds every row up to it), and event rows are never updated or deleted.
    /// `there` is told whether the other connection's snapshot is `db`'s one (the same highest seq: a token row
    /// changes only with an event, in the same transaction), so that it reads token rows only when it is.
    static func run(path: String, db: SQLiteConnection, otherShare: Int64, splitAbove: Int64,
                    here: () throws -> Void,
                    there: (@Sendable (SQLiteConnection, _ sameSnapshot: Bool) throws -> Void)? = nil)
        throws -> (scan: EventScan, upTo: Int64)? {
        let last = try db.scalarInt("SELECT max(seq) FROM idem_events") ?? 0
        guard last > splitAbove else {
            try here()
            return try scan(db, from: Int64.min, to: last).map { ($0, last) }
        }
        let split = last / 100 * otherShare
        let result = Locked<Result<EventScan?, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            let r = Result { () throws -> EventScan? in
                let other = try SQLiteSchema.open(path: path, mode: .readOnly)
                try other.execute("BEGIN")
                defer { try? other.execute("COMMIT") }
                if let there {
                    let theirLast = try other.scalarInt("SELECT max(seq) FROM idem_events") ?? 0
                    try there(other, theirLast == last)
                }
                return try scan(other, from: Int64.min, to: split)
            }
            result.withLock { $0 = r }
            done.signal()
        }
        thread.stackSize = 1 << 20
        thread.start()
        let mine = Result { () throws -> EventScan? in
            try here()
            return try scan(db, from: split + 1, to: last)
        }
        done.wait()
        guard let theirs = try result.value?.get(), let ours = try mine.get() else { return nil }
        return (theirs.adding(ours), last)
    }
}
