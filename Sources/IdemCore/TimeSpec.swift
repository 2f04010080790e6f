import Foundation

/// A time as a person types it: RFC 3339, a UTC time of day `HH:MM[:SS]`, `now`, or relative to now (`-15m`).
///
/// Resolving needs two instants: the reference (the dashboard's clock, or the `--at` instant) for `now` and
/// relative times, and the anchor for a time of day. The anchor is the store's newest event (the reference when
/// the store is empty or its newest event lies after the reference): `07:14` is the most recent 07:14 UTC at or
/// before the anchor, so on a store written yesterday it is yesterday's 07:14, and on a live store it is today's
/// (or yesterday's, before 07:14).
public enum TimeSpec: Sendable, Hashable, CustomStringConvertible {
    case absolute(Instant)
    /// Milliseconds after midnight UTC, and whether seconds were given (`07:14:30`).
    case timeOfDay(ms: Int64, seconds: Bool)
    /// The reference plus a (usually negative) span; `now` is a zero span.
    case relative(TimeSpan)

    static let dayMs: Int64 = 86_400_000

    /// Parses `2026-11-29T07:14:00Z`, `07:14`, `07:14:30`, `now`, `-15m`, `-2h`, `-1d`, `-1h30m`; nil otherwise.
    public init?(parsing text: String) {
        let s = SettingsLines.trimmed(text)
        if s.lowercased() == "now" { self = .relative(TimeSpan(ms: 0)); return }
        if s.hasPrefix("-") || s.hasPrefix("+") {
            // A bare number is not a relative time here: `-15` could be a typo for anything.
            guard let last = s.last, last.isLetter, let span = TimeSpan(parsing: String(s.dropFirst())) else {
                return nil
            }
            self = .relative(s.hasPrefix("-") ? -span : span)
            return
        }
        if let t = Instant(rfc3339: s) { self = .absolute(t); return }
        let parts = s.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3,
              parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let h = Int64(parts[0]), let m = Int64(parts[1]), h < 24, m < 60
        else { return nil }
        let sec = parts.count == 3 ? Int64(parts[2]) ?? 60 : 0
        guard sec < 60 else { return nil }
        self = .timeOfDay(ms: ((h * 60 + m) * 60 + sec) * 1000, seconds: parts.count == 3)
    }

    /// The instant this names; see the type's summary for the reference and the anchor.
    public func resolve(reference: Instant, anchor: Instant?) -> Instant {
        switch self {
        case .absolute(let t): return t
        case .relative(let span): return reference + span
        case .timeOfDay(let ms, _):
            let a = anchor.map { min($0, reference) } ?? reference
            let (day, _) = a.ms.floorDivided(by: TimeSpec.dayMs)
            let candidate = day * TimeSpec.dayMs + ms
            return Instant(ms: candidate <= a.ms ? candidate : candidate - TimeSpec.dayMs)
        }
    }

    /// The first instant at or after `start` that this names: the end of a window `A..B` whose B is a time of
    /// day lies after its start, so `23:50..00:10` spans midnight.
    func resolve(after start: Instant, reference: Instant, anchor: Instant?) -> Instant {
        guard case .timeOfDay(let ms, _) = self else { return resolve(reference: reference, anchor: anchor) }
        let (day, _) = start.ms.floorDivided(by: TimeSpec.dayMs)
        let candidate = day * TimeSpec.dayMs + ms
        return Instant(ms: candidate >= start.ms ? candidate : candidate + TimeSpec.dayMs)
    }

    public var description: String {
        switch self {
        case .absolute(let t): return t.rfc3339
        case .relative(let span): return span.ms == 0 ? "now" : (span.ms < 0 ? "-" : "+") + TimeSpan(ms: abs(span.ms)).compact
        case .timeOfDay(let ms, let seconds):
            let s = ms / 1000
            let hm = String(format: "%02lld:%02lld", s / 3600, s / 60 % 60)
            return seconds ? hm + String(format: ":%02lld", s % 60) : hm
        }
    }
}

/// A window of time `A..B`: from A (included) to B (excluded), either end open (`07:00..`, `..07:30`).
///
/// Half-open so that windows side by side (the histogram's bars) share no instant: an event exactly at 07:30:00.000
/// is in `07:30..07:31`, not in `07:00..07:30`.
public struct TimeWindow: Sendable, Hashable, CustomStringConvertible {
    public var from: TimeSpec?
    public var to: TimeSpec?

    public init(from: TimeSpec?, to: TimeSpec?) {
        self.from = from
        self.to = to
    }

    /// Parses `A..B`, `A..`, `..B`; a lone `A` is the window from A on.
    public init?(parsing text: String) {
        guard let r = text.range(of: "..") else {
            guard let a = TimeSpec(parsing: text) else { return nil }
            self.init(from: a, to: nil)
            return
        }
        let a = String(text[..<r.lowerBound]), b = String(text[r.upperBound...])
        guard !(a.isEmpty && b.isEmpty) else { return nil }
        var from: TimeSpec?, to: TimeSpec?
        if !a.isEmpty { guard let t = TimeSpec(parsing: a) else { return nil }; from = t }
        if !b.isEmpty { guard let t = TimeSpec(parsing: b) else { return nil }; to = t }
        self.init(from: from, to: to)
    }

    /// The window's instants as milliseconds `[lo, hi)`; an open end is Int64's extreme.
    public func resolve(reference: Instant, anchor: Instant?) -> (lo: Int64, hi: Int64) {
        let lo = from?.resolve(reference: reference, anchor: anchor)
        let hi: Instant?
        if let lo, let to { hi = to.resolve(after: lo, reference: reference, anchor: anchor) } else {
            hi = to?.resolve(reference: reference, anchor: anchor)
        }
        return (lo?.ms ?? Int64.min, hi?.ms ?? Int64.max)
    }

    public var description: String {
        guard to != nil || from == nil else { return from.map { "\($0).." } ?? ".." }
        return (from.map { "\($0)" } ?? "") + ".." + (to.map { "\($0)" } ?? "")
    }
}
