import IdemCore

/// Requests, hits and mismatches per second of event time, kept in a small ring of the last minutes.
public struct Rates: Sendable, Hashable {
    /// One second's counts.
    public struct Bucket: Sendable, Hashable {
        public var second: Int64 = .min
        public var requests: Int32 = 0
        public var hits: Int32 = 0
        public var mismatches: Int32 = 0
    }

    /// Seconds kept.
    public static let span = 600
    private var ring = [Bucket](repeating: Bucket(), count: Rates.span)

    public init() {}

    /// Counts one event at its own time.
    public mutating func add(_ e: StoreEvent) {
        guard e.kind == .request else { return }
        let second = e.at.ms.floorDiv(1000)
        let slot = Int(second.floorMod(Int64(Rates.span)))
        if ring[slot].second != second {
            guard second > ring[slot].second else { return }  // older than the ring: forgotten
            ring[slot] = Bucket(second: second)
        }
        ring[slot].requests += 1
        switch e.outcome {
        case .replayed?: ring[slot].hits += 1
        case .mismatch?: ring[slot].mismatches += 1
        default: break
        }
    }

    /// The bucket for a second (zeros when the ring holds nothing for it).
    public func bucket(_ second: Int64) -> Bucket {
        let b = ring[Int(second.floorMod(Int64(Rates.span)))]
        return b.second == second ? b : Bucket(second: second)
    }

    /// Sums over the `seconds` seconds ending at `now` (inclusive).
    public func window(_ seconds: Int, endingAt now: Instant) -> Bucket {
        let end = now.ms.floorDiv(1000)
        var sum = Bucket(second: end)
        for s in (end - Int64(seconds) + 1)...end {
            let b = bucket(s)
            sum.requests += b.requests
            sum.hits += b.hits
            sum.mismatches += b.mismatches
        }
        return sum
    }

    /// `count` values, oldest first, each summing `step` seconds, the last ending at `now`.
    public func series(_ count: Int, step: Int, endingAt now: Instant, _ value: (Bucket) -> Int32) -> [Int32] {
        let end = now.ms.floorDiv(1000)
        return (0..<max(0, count)).map { i in
            let last = end - Int64((count - 1 - i) * step)
            var v: Int32 = 0
            for s in (last - Int64(step) + 1)...last { v += value(bucket(s)) }
            return v
        }
    }

    /// A sparkline of `values` scaled to their maximum: `▂▃▄▅▆▇█`, and `▁` for zero.
    public static func sparkline(_ values: [Int32]) -> String {
        let bars: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
        let top = max(1, values.max() ?? 1)
        return String(values.map { v -> Character in
            if v <= 0 { return bars[0] }
            let level = Int((Double(v) / Double(top) * 6).rounded(.up))
            return bars[max(0, min(7, level))]
        })
    }
}

extension Int64 {
    func floorDiv(_ d: Int64) -> Int64 { let q = self / d; return (self % d < 0) ? q - 1 : q }
    func floorMod(_ d: Int64) -> Int64 { let r = self % d; return r < 0 ? r + d : r }
}
