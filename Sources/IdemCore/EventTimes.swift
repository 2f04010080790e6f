/// Every event's instant, record and outcome, in the order applied: what `at:` windows and the histogram read.
///
/// Kept as two flat arrays (12 bytes an event, no per-token allocation): a million tokens with three events each
/// cost 36 MB here, against a per-token list's array header and heap block (about 48 bytes a token before the first
/// time). A window is answered by one linear pass over the instants (a few milliseconds for millions of events),
/// which needs no sort, so events applied out of time order (several writers, several stores) cost nothing.
public struct EventTimes: Sendable {
    /// Milliseconds since the epoch, one per event.
    public private(set) var instants: [Int64] = []
    /// The record index shifted left by 3, or'd with the event's `code`.
    public private(set) var packed: [UInt32] = []

    public init() {}

    /// The arrays a checkpoint kept (`LedgerCodec`), one entry per event, in the order applied.
    init(instants: [Int64], packed: [UInt32]) {
        precondition(instants.count == packed.count, "EventTimes: one instant per packed entry")
        self.instants = instants
        self.packed = packed
    }

    public var count: Int { instants.count }

    /// Makes room for `n` events in all (less than held is a no-op).
    mutating func reserveCapacity(_ n: Int) {
        guard n > instants.count else { return }
        instants.reserveCapacity(n)
        packed.reserveCapacity(n)
    }

    /// The 3-bit code of an event: a request's outcome (0-4, in `Outcome.allCases` order), 5 completed, 6 failed,
    /// 7 an admin event.
    public static func code(_ e: StoreEvent) -> UInt32 { code(e.kind, e.outcome) }

    /// `code(_:)` of an event of `kind` with `outcome`.
    @inline(__always)
    static func code(_ kind: EventKind, _ outcome: Outcome?) -> UInt32 {
        switch kind {
        case .request:
            switch outcome ?? .replayed {
            case .executed: return 0
            case .replayed: return 1
            case .mismatch: return 2
            case .conflict: return 3
            case .reexecuted: return 4
            }
        case .completed: return 5
        case .failed: return 6
        case .purge, .replay: return 7
        }
    }

    /// The outcome a request code stands for (nil for the other codes).
    public static func outcome(code: UInt32) -> Outcome? {
        switch code {
        case 0: return .executed
        case 1: return .replayed
        case 2: return .mismatch
        case 3: return .conflict
        case 4: return .reexecuted
        default: return nil
        }
    }

    mutating func add(_ e: StoreEvent, record: Int) {
        add(at: e.at, code: EventTimes.code(e), record: record)
    }

    @inline(__always)
    mutating func add(at: Instant, code: UInt32, record: Int) {
        instants.append(at.ms)
        packed.append(UInt32(truncatingIfNeeded: record) << 3 | code)
    }

    /// One flag per record (of `records` in all): whether it had an event at an instant in `[lo, hi)`.
    public func records(from lo: Int64, to hi: Int64, of records: Int) -> [Bool] {
        var hit = [Bool](repeating: false, count: records)
        instants.withUnsafeBufferPointer { t in
            packed.withUnsafeBufferPointer { p in
                hit.withUnsafeMutableBufferPointer { h in
                    for k in 0..<t.count where t[k] >= lo && t[k] < hi {
                        let r = Int(p[k] >> 3)
                        if r < h.count { h[r] = true }
                    }
                }
            }
        }
        return hit
    }

    /// The earliest and latest instants, if any event was applied.
    public var span: (first: Instant, last: Instant)? {
        guard var lo = instants.first else { return nil }
        var hi = lo
        for t in instants {
            if t < lo { lo = t }
            if t > hi { hi = t }
        }
        return (Instant(ms: lo), Instant(ms: hi))
    }
}
