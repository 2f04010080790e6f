/// Finds a lowercase needle in bytes, ignoring ASCII case: the filter's free text and `body:` scans share it.
public enum ByteSearch {
    /// The first position at or after `from` where `n` (`m` lowercase ASCII-folded bytes) occurs in `h`, ignoring
    /// ASCII case: find the first byte in either case, then compare the rest folded.
    @inline(__always)
    public static func find(_ h: UnsafePointer<UInt8>, _ count: Int, _ n: UnsafePointer<UInt8>, _ m: Int,
                            from: Int = 0) -> Int? {
        guard m > 0, count >= m else { return nil }
        let first = n[0]
        let firstUpper = first >= 97 && first <= 122 ? first - 32 : first
        var i = from
        let last = count - m
        while i <= last {
            let c = h[i]
            if c == first || c == firstUpper {
                var j = 1
                while j < m, lower(h[i + j]) == n[j] { j += 1 }
                if j == m { return i }
            }
            i += 1
        }
        return nil
    }

    /// An ASCII upper-case letter made lower case; every other byte as it is.
    @inline(__always) public static func lower(_ b: UInt8) -> UInt8 { b >= 65 && b <= 90 ? b + 32 : b }
}
