import IdemCore

/// Small formatting helpers for cells: countdowns, ages, times, counts, sizes.
public enum Format {
    /// The "expires in" cell: `23h59m` while live, `expired 3m ago` once past, `stuck 2m` for a dead lock.
    public static func expiresIn(_ r: TokenRecord, now: Instant) -> String {
        switch r.status(at: now) {
        case .purged: return "purged"
        case .expired: return "expired \(coarse(now - r.expiresAt)) ago"
        case .stuck: return "stuck \(coarse(now - r.lockedUntil))"
        default: return countdown(r.expiresAt - now)
        }
    }

    /// A countdown: `45s`, `12m05s`, `23h59m` (hours up to 99, so a 24-hour retention reads `24h00m`), `4d03h`.
    public static func countdown(_ span: TimeSpan) -> String {
        let s = max(0, span.ms / 1000)
        if s < 3600 { return TimeSpan(ms: s * 1000).compact }
        if s < 100 * 3600 {
            let m = s / 60 % 60
            return "\(s / 3600)h" + (m < 10 ? "0" : "") + "\(m)m"
        }
        return TimeSpan(ms: s * 1000).compact
    }

    /// One unit, rounded down: `45s`, `3m`, `2h`, `4d`.
    public static func coarse(_ span: TimeSpan) -> String {
        let s = max(0, span.ms / 1000)
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" }
        if s < 86_400 { return "\(s / 3600)h" }
        return "\(s / 86_400)d"
    }

    /// An age: the compact span, never negative.
    public static func age(_ span: TimeSpan) -> String { TimeSpan(ms: max(0, span.ms)).compact }

    /// `HH:MM:SS` in UTC.
    public static func clockTime(_ t: Instant) -> String {
        let s = t.rfc3339
        let start = s.index(s.startIndex, offsetBy: 11)
        return String(s[start..<s.index(start, offsetBy: 8)])
    }

    /// `2026-11-29 06:00:00Z`.
    public static func dateTime(_ t: Instant) -> String {
        let s = t.rfc3339
        return String(s.prefix(10)) + " " + clockTime(t) + "Z"
    }

    /// A count with thousands separators: `1,234,567`.
    public static func count(_ n: Int) -> String { TextTable.grouped(n) }

    /// A quantity in its unit, bytes shown as KB/MB/GB.
    public static func quantity(_ v: Double, unit: String) -> String {
        if unit == "bytes" {
            let units = ["B", "KB", "MB", "GB", "TB"]
            var x = v
            var i = 0
            while x >= 1000, i < units.count - 1 { x /= 1000; i += 1 }
            return i == 0 ? "\(Int(x)) B" : fixed(x, 1) + " " + units[i]
        }
        return count(Int(v)) + " " + unit
    }

    /// `v` with `digits` decimals.
    public static func fixed(_ v: Double, _ digits: Int) -> String {
        guard v.isFinite else { return "-" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let r = (v * scale).rounded() / scale
        var s = String(r)
        if let dot = s.firstIndex(of: ".") {
            let decimals = s.distance(from: dot, to: s.endIndex) - 1
            if decimals < digits { s += String(repeating: "0", count: digits - decimals) }
            if digits == 0 { s = String(s[..<dot]) }
        } else if digits > 0 {
            s += "." + String(repeating: "0", count: digits)
        }
        return s
    }

    /// A percentage of `part` in `whole`: `34%`, `1.2%`, `-` when there is nothing.
    public static func percent(_ part: Int, of whole: Int) -> String {
        guard whole > 0 else { return "-" }
        let p = Double(part) * 100 / Double(whole)
        return (p < 10 && p > 0 ? fixed(p, 1) : fixed(p, 0)) + "%"
    }
}
