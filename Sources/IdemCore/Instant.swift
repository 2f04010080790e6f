import CByteScan
import Foundation

/// A point in time as whole milliseconds since the Unix epoch, UTC.
///
/// The core measures time in integers: it is exact, cheap to compare, and what both stores write.
public struct Instant: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var ms: Int64

    public init(ms: Int64) { self.ms = ms }
    public init(seconds: Double) { self.ms = Int64((seconds * 1000).rounded()) }
    public init(_ date: Date) { self.ms = Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    public var date: Date { Date(timeIntervalSince1970: Double(ms) / 1000) }
    public var seconds: Double { Double(ms) / 1000 }

    public static func < (a: Instant, b: Instant) -> Bool { a.ms < b.ms }
    public static func + (a: Instant, d: TimeSpan) -> Instant { Instant(ms: a.ms + d.ms) }
    public static func - (a: Instant, d: TimeSpan) -> Instant { Instant(ms: a.ms - d.ms) }
    public static func - (a: Instant, b: Instant) -> TimeSpan { TimeSpan(ms: a.ms - b.ms) }

    public var description: String { rfc3339 }

    /// RFC 3339 in UTC with milliseconds, e.g. `2026-11-29T05:55:54.123Z`.
    public var rfc3339: String {
        var out = [UInt8]()
        out.reserveCapacity(24)
        appendRFC3339(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the RFC 3339 form to a byte buffer without allocating a String.
    public func appendRFC3339(to out: inout [UInt8]) {
        let (days, msOfDay) = ms.floorDivided(by: 86_400_000)
        let (y, m, d) = Instant.civil(fromDays: days)
        let secOfDay = msOfDay / 1000
        func two(_ v: Int64) { out.append(UInt8(48 + v / 10)); out.append(UInt8(48 + v % 10)) }
        let year = y
        if year < 0 || year > 9999 {
            out.append(contentsOf: Array(String(format: "%04lld", year).utf8))
        } else {
            two(year / 100); two(year % 100)
        }
        out.append(45); two(m); out.append(45); two(d)
        out.append(84)
        two(secOfDay / 3600); out.append(58); two(secOfDay / 60 % 60); out.append(58); two(secOfDay % 60)
        out.append(46)
        let frac = msOfDay % 1000
        out.append(UInt8(48 + frac / 100)); out.append(UInt8(48 + frac / 10 % 10)); out.append(UInt8(48 + frac % 10))
        out.append(90)
    }

    /// Parses RFC 3339 (`2026-11-29T05:55:54Z`, fractional seconds of any length, `Z` or `±hh:mm`).
    public init?(rfc3339 text: String) {
        var s = text
        let parsed: Instant? = s.withUTF8 { Instant.parseRFC3339($0) }
        guard let parsed else { return nil }
        self = parsed
    }

    /// Parses RFC 3339 from raw bytes; the journal's hot path calls this on each line.
    public static func parseRFC3339(_ b: UnsafeBufferPointer<UInt8>) -> Instant? {
        guard b.count >= 20, let days = rfc3339Days(b) else { return nil }
        return rfc3339Time(b, days: days)
    }

    /// `parseRFC3339(_:)`, remembering the last date it read in `memo`: the lines of a journal share a few dates,
    /// and the date's digits, its checks and its day number are then one compare of ten bytes.
    static func parseRFC3339(_ b: UnsafeBufferPointer<UInt8>, memo: inout DateMemo) -> Instant? {
        guard b.count >= 20, let base = b.baseAddress else { return nil }
        let raw = UnsafeRawPointer(base)
        let head = raw.loadUnaligned(as: UInt64.self)
        let tail = raw.loadUnaligned(fromByteOffset: 8, as: UInt16.self)
        if memo.known && memo.head == head && memo.tail == tail { return rfc3339Time(b, days: memo.days) }
        guard let days = rfc3339Days(b) else { return nil }
        memo = DateMemo(head: head, tail: tail, days: days, known: true)
        return rfc3339Time(b, days: days)
    }

    @inline(__always)
    private static func rfc3339Digits(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ len: Int) -> Int64? {
        var v: Int64 = 0
        for k in i..<(i + len) {
            let c = b[k]
            guard c >= 48 && c <= 57 else { return nil }
            v = v * 10 + Int64(c - 48)
        }
        return v
    }

    /// The day number of the date in `b[0..<10]` (`YYYY-MM-DD`, checked), `b` holding at least 20 bytes.
    private static func rfc3339Days(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard let year = rfc3339Digits(b, 0, 4), b[4] == 45, let month = rfc3339Digits(b, 5, 2), b[7] == 45,
              let day = rfc3339Digits(b, 8, 2), (1...12).contains(month), day >= 1,
              day <= Instant.daysIn(month: month, year: year)
        else { return nil }
        return Instant.days(fromCivil: year, month, day)
    }

    /// The instant of `b` from its 11th byte on (`Thh:mm:ss`, a fraction, the offset) on the day `days`.
    private static func rfc3339Time(_ b: UnsafeBufferPointer<UInt8>, days: Int64) -> Instant? {
        let n = b.count
        // The writer's shape (`…T06:00:00.003Z`) in C, a few dozen instructions; any other here.
        if n == 24, let base = b.baseAddress {
            let ms = idem_time_of_day_ms(base)
            if ms >= 0 { return Instant(ms: days * 86_400_000 + ms) }
        }
        guard b[10] == 84 || b[10] == 116 || b[10] == 32,
              let hour = rfc3339Digits(b, 11, 2), b[13] == 58, let minute = rfc3339Digits(b, 14, 2), b[16] == 58,
              let second = rfc3339Digits(b, 17, 2), hour < 24, minute < 60, second < 61
        else { return nil }
        var i = 19
        var fracMs: Int64 = 0
        if i < n, b[i] == 46 {
            i += 1
            // Milliseconds: the first three digits, further ones read and dropped (no division a digit).
            var digits = 0
            while i < n, b[i] >= 48, b[i] <= 57 {
                if digits < 3 { fracMs = fracMs * 10 + Int64(b[i] - 48) }
                digits += 1
                i += 1
            }
            if digits == 0 { return nil }
            if digits == 1 { fracMs *= 100 } else if digits == 2 { fracMs *= 10 }
        }
        guard i < n else { return nil }
        var offsetMinutes: Int64 = 0
        if b[i] == 90 || b[i] == 122 {
            i += 1
        } else if b[i] == 43 || b[i] == 45 {
            guard i + 6 <= n, let oh = rfc3339Digits(b, i + 1, 2), b[i + 3] == 58, let om = rfc3339Digits(b, i + 4, 2),
                  oh < 24, om < 60
            else { return nil }
            offsetMinutes = (oh * 60 + om) * (b[i] == 45 ? -1 : 1)
            i += 6
        } else {
            return nil
        }
        guard i == n else { return nil }
        let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60
        return Instant(ms: secs * 1000 + fracMs)
    }

    /// How many days `month` (1-12) has in `year` of the proleptic Gregorian calendar.
    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func days(fromCivil y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

extension Int64 {
    /// Floor division with a non-negative remainder.
    public func floorDivided(by d: Int64) -> (Int64, Int64) {
        let q = self / d, r = self % d
        return r < 0 ? (q - 1, r + d) : (q, r)
    }
}

/// A signed span of time in milliseconds.
public struct TimeSpan: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var ms: Int64
    public init(ms: Int64) { self.ms = ms }
    public static func seconds(_ s: Int64) -> TimeSpan { TimeSpan(ms: s * 1000) }
    public static func minutes(_ m: Int64) -> TimeSpan { TimeSpan(ms: m * 60_000) }
    public static func hours(_ h: Int64) -> TimeSpan { TimeSpan(ms: h * 3_600_000) }
    public static func < (a: TimeSpan, b: TimeSpan) -> Bool { a.ms < b.ms }
    public static prefix func - (d: TimeSpan) -> TimeSpan { TimeSpan(ms: -d.ms) }
    public static func + (a: TimeSpan, b: TimeSpan) -> TimeSpan { TimeSpan(ms: a.ms + b.ms) }
    public static func - (a: TimeSpan, b: TimeSpan) -> TimeSpan { TimeSpan(ms: a.ms - b.ms) }

    /// Parses `90`, `90s`, `10m`, `2h`, `1d`, `1h30m`, `250ms` (a bare number is seconds).
    public init?(parsing text: String) {
        let s = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard !s.isEmpty else { return nil }
        if let whole = Int64(s) { self.ms = whole * 1000; return }
        var total: Int64 = 0
        var number = ""
        var unit = ""
        var sawAny = false
        func flush() -> Bool {
            guard let v = Double(number) else { return false }
            let factor: Double
            switch unit {
            case "ms": factor = 1
            case "s": factor = 1000
            case "m": factor = 60_000
            case "h": factor = 3_600_000
            case "d": factor = 86_400_000
            default: return false
            }
            total += Int64(v * factor)
            number = ""; unit = ""; sawAny = true
            return true
        }
        for ch in s {
            if ch.isNumber || ch == "." {
                if !unit.isEmpty { guard flush() else { return nil } }
                number.append(ch)
            } else if ch.isLetter {
                guard !number.isEmpty else { return nil }
                unit.append(ch)
            } else {
                return nil
            }
        }
        guard flush(), sawAny else { return nil }
        self.ms = total
    }

    /// A compact human form: `45s`, `3m`, `2h05m`, `4d03h`; `0s` under a second.
    public var compact: String {
        let a = abs(ms) / 1000
        let sign = ms < 0 ? "-" : ""
        if a < 60 { return "\(sign)\(a)s" }
        if a < 3600 { return "\(sign)\(a / 60)m\(a % 60 == 0 ? "" : String(format: "%02llds", a % 60))" }
        if a < 86_400 { return "\(sign)\(a / 3600)h" + String(format: "%02lldm", a / 60 % 60) }
        return "\(sign)\(a / 86_400)d" + String(format: "%02lldh", a / 3600 % 24)
    }

    public var description: String { compact }
}

/// The last date `Instant.parseRFC3339(_:memo:)` read: its ten bytes and its day number.
struct DateMemo {
    var head: UInt64 = 0
    var tail: UInt16 = 0
    var days: Int64 = 0
    var known = false
}
