/// Why a token looks too predictable to be unique, or nil for a token that looks random enough.
///
/// A good token is a UUID or a random string of about 16 characters or more. The classifier reads the token's bytes
/// once, never allocates, and is built to stay quiet on UUIDs, hex digests and random base-62 strings:
/// numbers are only read as timestamps or counters when they fill a whole segment (between separators such as
/// `-`, `_`, `:`, `.`, `/`, `#`) after a word made of letters only, at most 12 of them (a longer run of letters is a
/// random string, such as a 26-character ULID-like token that happens to end in a digit).
public enum TokenWeakness: String, CaseIterable, Sendable, Codable {
    /// A 10- or 13-digit epoch number (seconds or milliseconds, years 2001-2100), alone or after a word
    /// (`req-1732860000`, `req1732860000`) or an ISO date (`2026-11-29`,
    /// `20261129T0555`): two requests in the same instant collide.
    case timestamp
    /// A small integer or a word followed by one (`17`, `order-17`, `ORD00017`): guessable and reused across restarts.
    case counter
    /// Shorter than `minTokenLength` characters.
    case short
    /// Long enough but made of very few distinct characters (`aaaaaaaaaaaaaaaa`, `testtesttesttest`).
    case lowEntropy = "low_entropy"

    /// What makes `token` weak under `config`, or nil when it looks random enough.
    public static func classify(_ token: String, config: DetectorConfig = .standard) -> TokenWeakness? {
        var copy = token
        return copy.withUTF8 { classify(bytes: $0, minLength: config.minTokenLength, minDistinct: config.minDistinctChars) }
    }

    static func classify(bytes b: UnsafeBufferPointer<UInt8>, minLength: Int, minDistinct: Int) -> TokenWeakness? {
        let n = b.count
        if n == 0 { return .short }
        if isUUIDShaped(b) {
            // The common case, and none of the patterns below can match a UUID: only repetition can.
            return n >= minLength && distinctAlphanumerics(b, atLeast: minDistinct) < minDistinct ? .lowEntropy : nil
        }
        if hasTimestamp(b) { return .timestamp }
        if isCounter(b) { return .counter }
        if n < minLength { return .short }
        if distinctAlphanumerics(b, atLeast: minDistinct) < minDistinct { return .lowEntropy }
        return nil
    }

    /// `8-4-4-4-12` hex digits, either case.
    static func isUUIDShaped(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard b.count == 36, b[8] == 45, b[13] == 45, b[18] == 45, b[23] == 45 else { return false }
        for i in 0..<36 where i != 8 && i != 13 && i != 18 && i != 23 {
            let c = b[i] | 0x20
            guard (c >= 48 && c <= 57) || (c >= 97 && c <= 102) else { return false }
        }
        return true
    }

    /// The longest run of letters read as a word before a number (`order`, `invoice`, `ORD`).
    static let maxWordLetters = 12

    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    @inline(__always) static func isLower(_ c: UInt8) -> Bool { c >= 97 && c <= 122 }
    @inline(__always) static func isUpper(_ c: UInt8) -> Bool { c >= 65 && c <= 90 }
    @inline(__always) static func isAlnum(_ c: UInt8) -> Bool { isDigit(c) || isLower(c) || isUpper(c) }

    /// Whether some segment is `letters* digits` with an epoch-looking number, or the token holds an ISO date.
    static func hasTimestamp(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = b.count
        var i = 0
        while i < n {
            // One segment: a maximal run of letters and digits.
            guard isAlnum(b[i]) else { i += 1; continue }
            let start = i
            while i < n, isAlnum(b[i]) { i += 1 }
            if segmentEndsInEpoch(b, start, i) || segmentIsCompactISO(b, start, i) { return true }
        }
        return hasDashedDate(b)
    }

    /// `digits` or `word digits` (a word of 3 letters or more, one of them not a hex digit), the digits 10 or 13 long,
    /// reading as an instant between 2001 and 2100. Anything looser fires on random hex: the last group of a UUID can
    /// be two letters and ten digits, a 64-bit hex token three letters and thirteen digits.
    static func segmentEndsInEpoch(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        var j = start
        while j < end, !isDigit(b[j]) { j += 1 }
        guard j == start || ((3...maxWordLetters).contains(j - start) && caseConsistentWord(b, start, j)
                             && hasNonHexLetter(b, start, j))
        else { return false }
        let digits = end - j
        guard digits == 10 || digits == 13 else { return false }
        for k in j..<end where !isDigit(b[k]) { return false }
        // The first 10 digits are the seconds: 1_000_000_000 (2001) ..< 4_102_444_800 (2100).
        var seconds: Int64 = 0
        for k in j..<(j + 10) { seconds = seconds * 10 + Int64(b[k] - 48) }
        return seconds >= 1_000_000_000 && seconds < 4_102_444_800
    }

    /// A segment starting with `YYYYMMDD` then `T` (`20261129T055554Z`).
    static func segmentIsCompactISO(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        guard end - start >= 9, b[start + 8] == 84 || b[start + 8] == 116 else { return false }
        return isDate(b, year: start, month: start + 4, day: start + 6)
    }

    /// `YYYY-MM-DD` anywhere in the token.
    static func hasDashedDate(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = b.count
        guard n >= 10 else { return false }
        for i in 0...(n - 10) where b[i + 4] == 45 && b[i + 7] == 45 {
            if i > 0, isDigit(b[i - 1]) { continue }
            if isDate(b, year: i, month: i + 5, day: i + 8) { return true }
        }
        return false
    }

    static func isDate(_ b: UnsafeBufferPointer<UInt8>, year y: Int, month m: Int, day d: Int) -> Bool {
        for k in [y, y + 1, y + 2, y + 3, m, m + 1, d, d + 1] where !isDigit(b[k]) { return false }
        func num(_ k: Int, _ len: Int) -> Int { (k..<(k + len)).reduce(0) { $0 * 10 + Int(b[$1] - 48) } }
        let year = num(y, 4), month = num(m, 2), day = num(d, 2)
        return (1970...2099).contains(year) && (1...12).contains(month) && (1...31).contains(day)
    }

    /// The whole token is digits (at most 9), or words of letters and separators followed by at most 9 digits.
    static func isCounter(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = b.count
        var j = n
        while j > 0, isDigit(b[j - 1]) { j -= 1 }
        let digits = n - j
        guard digits >= 1, digits <= 9 else { return false }
        // Everything before the number: letters in case-consistent words, and separators; and, so that a random hex
        // string of letters then digits is not taken for one, a separator or a letter that is not a hex digit.
        guard j == 0 || hasNonHexLetter(b, 0, j) || (0..<j).contains(where: { isSeparator(b[$0]) }) else { return false }
        var i = 0
        while i < j {
            if isLower(b[i]) || isUpper(b[i]) {
                let start = i
                while i < j, isLower(b[i]) || isUpper(b[i]) { i += 1 }
                if i - start > maxWordLetters || !caseConsistentWord(b, start, i) { return false }
            } else if isSeparator(b[i]) {
                i += 1
            } else {
                return false
            }
        }
        return true
    }

    /// Whether `b[start..<end]` holds a letter past `f` (so it is not hex).
    static func hasNonHexLetter(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        for k in start..<end where (b[k] > 102 && b[k] <= 122) || (b[k] > 70 && b[k] <= 90) { return true }
        return false
    }

    @inline(__always) static func isSeparator(_ c: UInt8) -> Bool {
        c == 45 || c == 95 || c == 58 || c == 46 || c == 47 || c == 35 // - _ : . / #
    }

    /// Letters that read as a word: all lower case, all upper case, or capitalised. Empty is fine.
    static func caseConsistentWord(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        guard end > start else { return true }
        var lower = 0, upper = 0
        for k in start..<end {
            if isLower(b[k]) { lower += 1 } else if isUpper(b[k]) { upper += 1 } else { return false }
        }
        if lower == 0 || upper == 0 { return true }
        return upper == 1 && isUpper(b[start])
    }

    /// How many distinct letters and digits the token uses (stops counting at `atLeast`). Case-insensitive.
    static func distinctAlphanumerics(_ b: UnsafeBufferPointer<UInt8>, atLeast: Int) -> Int {
        var seen: UInt64 = 0
        var count = 0
        for c in b {
            let bit: UInt64
            if isDigit(c) { bit = 1 << UInt64(c - 48) }
            else if isLower(c) { bit = 1 << UInt64(c - 97 + 10) }
            else if isUpper(c) { bit = 1 << UInt64(c - 65 + 10) }
            else { continue }
            if seen & bit == 0 {
                seen |= bit
                count += 1
                if count >= atLeast { return count }
            }
        }
        return count
    }
}
