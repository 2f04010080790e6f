import IdemCore

/// Tokens by shown status, kept up to date cheaply: adjusted per event, and per deadline as the clock passes it.
///
/// Statuses change two ways: an event (adjusted when it is applied) or time crossing a record's expiry or lock
/// deadline. Future deadlines sit in a min-heap; a tick pops those now past and re-derives just those records, so an
/// idle dashboard over a million tokens does not recount them every second.
public struct StatusTally: Sendable {
    private var counts = [Int](repeating: 0, count: TokenStatus.allCases.count)
    private var statusOf: [UInt8] = []
    private var heap = DeadlineHeap()

    public init() {}

    /// The tally of every record of `ledger` at `now`, for a ledger read whole rather than event by event.
    public init(ledger: Ledger, now: Instant) {
        statusOf.reserveCapacity(ledger.count)
        for (i, r) in ledger.records.enumerated() {
            let s = UInt8(StatusTally.slot(r.status(at: now)))
            statusOf.append(s)
            counts[Int(s)] += 1
            schedule(r, Int32(i), now: now)
        }
    }

    public subscript(status: TokenStatus) -> Int { counts[StatusTally.slot(status)] }

    static func slot(_ s: TokenStatus) -> Int {
        switch s {
        case .inProgress: return 0
        case .stuck: return 1
        case .completed: return 2
        case .failed: return 3
        case .expired: return 4
        case .purged: return 5
        }
    }

    /// Notes that event `e` was applied to record `index`; `deadlinesMayMove` when it can change the expiry or lock.
    public mutating func touched(_ index: Int, in ledger: Ledger, by e: StoreEvent, now: Instant) {
        let r = ledger.records[index]
        let new = UInt8(StatusTally.slot(r.status(at: now)))
        if index >= statusOf.count {
            while statusOf.count < index {
                // Records the tally never saw (not expected: the ledger appends one at a time).
                let missed = ledger.records[statusOf.count]
                let s = UInt8(StatusTally.slot(missed.status(at: now)))
                statusOf.append(s)
                counts[Int(s)] += 1
                schedule(missed, Int32(statusOf.count - 1), now: now)
            }
            statusOf.append(new)
            counts[Int(new)] += 1
            schedule(r, Int32(index), now: now)
            return
        }
        let old = statusOf[index]
        if old != new {
            counts[Int(old)] -= 1
            counts[Int(new)] += 1
            statusOf[index] = new
        }
        let movesDeadlines = e.kind == .completed || e.kind == .failed || e.kind == .purge
            || (e.kind == .request && (e.outcome?.executes ?? false))
        if movesDeadlines { schedule(r, Int32(index), now: now) }
    }

    private mutating func schedule(_ r: TokenRecord, _ index: Int32, now: Instant) {
        guard r.stored != .purged else { return }
        if r.expiresAt > now { heap.push(r.expiresAt.ms, index) }
        if r.stored == .inProgress, r.lockedUntil > now, r.lockedUntil < r.expiresAt { heap.push(r.lockedUntil.ms, index) }
    }

    /// Re-derives the records whose deadlines `now` has passed; returns whether any status changed.
    @discardableResult
    public mutating func advance(to now: Instant, in ledger: Ledger) -> Bool {
        var changed = false
        while let (ms, index) = heap.min, ms <= now.ms {
            heap.popMin()
            let i = Int(index)
            guard i < statusOf.count, i < ledger.records.count else { continue }
            let new = UInt8(StatusTally.slot(ledger.records[i].status(at: now)))
            let old = statusOf[i]
            if old != new {
                counts[Int(old)] -= 1
                counts[Int(new)] += 1
                statusOf[i] = new
                changed = true
            }
        }
        return changed
    }
}

/// A binary min-heap of (deadline in ms, record index).
struct DeadlineHeap: Sendable {
    private var keys: [Int64] = []
    private var values: [Int32] = []

    var min: (Int64, Int32)? { keys.isEmpty ? nil : (keys[0], values[0]) }
    var count: Int { keys.count }

    mutating func push(_ key: Int64, _ value: Int32) {
        keys.append(key)
        values.append(value)
        var i = keys.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard keys[i] < keys[parent] else { break }
            keys.swapAt(i, parent)
            values.swapAt(i, parent)
            i = parent
        }
    }

    mutating func popMin() {
        guard !keys.isEmpty else { return }
        let last = keys.count - 1
        keys.swapAt(0, last)
        values.swapAt(0, last)
        keys.removeLast()
        values.removeLast()
        var i = 0
        let n = keys.count
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < n, keys[l] < keys[m] { m = l }
            if r < n, keys[r] < keys[m] { m = r }
            if m == i { break }
            keys.swapAt(i, m)
            values.swapAt(i, m)
            i = m
        }
    }
}
