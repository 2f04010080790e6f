import IdemCore

/// Requests per time bucket, by outcome, over the whole store or the records a filter shows: the histogram
/// view's data (lnav's HIST), built by one pass over the ledger's `EventTimes`.
public struct Histogram: Sendable, Hashable {
    /// The bucket sizes the view zooms through, finest first.
    public enum Zoom: Int, Sendable, Hashable, CaseIterable {
        case minute, tenMinutes, hour, day

        public var ms: Int64 {
            switch self {
            case .minute: return 60_000
            case .tenMinutes: return 600_000
            case .hour: return 3_600_000
            case .day: return 86_400_000
            }
        }

        public var label: String {
            switch self {
            case .minute: return "minute"
            case .tenMinutes: return "10 minutes"
            case .hour: return "hour"
            case .day: return "day"
            }
        }

        /// `1m`, `10m`, `1h`, `1d`.
        public var short: String {
            switch self {
            case .minute: return "1m"
            case .tenMinutes: return "10m"
            case .hour: return "1h"
            case .day: return "1d"
            }
        }

        /// The next finer (-1) or coarser (+1) zoom, staying at the ends.
        public func step(_ d: Int) -> Zoom { Zoom(rawValue: max(0, min(Zoom.allCases.count - 1, rawValue + d))) ?? self }
    }

    /// The outcomes counted, bottom of a bar first.
    public static let outcomes: [Outcome] = [.executed, .replayed, .mismatch, .conflict, .reexecuted]
    /// At most this many buckets: a store spanning more at this zoom is shown from its newest end.
    public static let maxBuckets = 100_000

    /// The first bucket's start, in milliseconds since the epoch (a multiple of the bucket size).
    public private(set) var origin: Int64 = 0
    public private(set) var bucketMs: Int64 = 60_000
    /// Per bucket, a count per outcome (`outcomes` order), flattened.
    private var counts: [Int32] = []
    public private(set) var bucketCount = 0

    public init() {}

    /// Counts every request event (of the records `include` flags, or all with nil) into buckets of `zoom`.
    public init(times: EventTimes, include: [Bool]?, zoom: Zoom) {
        bucketMs = zoom.ms
        let instants = times.instants, packed = times.packed
        // The span of the requests counted, first.
        var lo = Int64.max, hi = Int64.min
        for k in 0..<instants.count where packed[k] & 7 < 5 {
            if let include { let r = Int(packed[k] >> 3); if r >= include.count || !include[r] { continue } }
            let t = instants[k]
            if t < lo { lo = t }
            if t > hi { hi = t }
        }
        guard lo <= hi else { return }
        let first = lo.floorDivided(by: bucketMs).0, last = hi.floorDivided(by: bucketMs).0
        let start = max(first, last - Int64(Histogram.maxBuckets) + 1)
        origin = start * bucketMs
        bucketCount = Int(last - start + 1)
        var c = [Int32](repeating: 0, count: bucketCount * 5)
        let originMs = origin, size = bucketMs
        instants.withUnsafeBufferPointer { t in
            packed.withUnsafeBufferPointer { p in
                c.withUnsafeMutableBufferPointer { out in
                    for k in 0..<t.count {
                        let code = Int(p[k] & 7)
                        guard code < 5, t[k] >= originMs else { continue }
                        if let include { let r = Int(p[k] >> 3); if r >= include.count || !include[r] { continue } }
                        out[Int((t[k] - originMs) / size) * 5 + code] += 1
                    }
                }
            }
        }
        counts = c
    }

    /// Requests of one outcome in bucket `b`.
    public func count(_ b: Int, _ outcome: Outcome) -> Int {
        guard b >= 0, b < bucketCount, let o = Histogram.outcomes.firstIndex(of: outcome) else { return 0 }
        return Int(counts[b * 5 + o])
    }

    /// Requests in bucket `b`.
    public func total(_ b: Int) -> Int {
        guard b >= 0, b < bucketCount else { return 0 }
        return (0..<5).reduce(0) { $0 + Int(counts[b * 5 + $1]) }
    }

    /// Bucket `b`'s window `[start, end)`.
    public func window(_ b: Int) -> (start: Instant, end: Instant) {
        let s = origin + Int64(b) * bucketMs
        return (Instant(ms: s), Instant(ms: s + bucketMs))
    }

    /// The bucket holding `t` (clamped to the ends).
    public func bucket(of t: Instant) -> Int {
        guard bucketCount > 0 else { return 0 }
        return max(0, min(bucketCount - 1, Int((t.ms - origin).floorDivided(by: bucketMs).0)))
    }
}
