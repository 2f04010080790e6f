import IdemCore

/// Searches the request and response bodies a store keeps for a text: what `body:TEXT` filters by.
///
/// A search reads the store itself, off the dashboard's thread, and never keeps bodies in memory. Matching is
/// ASCII case-insensitive on the body text (as the filter's free text is), so `body:cus_alpha` finds `cus_ALPHA`.
public protocol BodySearcher: Sendable {
    /// The tokens with a body holding `needle` (lowercase). `progress(done, total)` is called now and then with
    /// how far the search is; returning false stops it (the search then throws `BodySearchCancelled`).
    func search(_ needle: String, progress: (Int64, Int64) -> Bool) throws -> Set<TokenKey>
}

/// A search stopped because its caller moved on (a changed `body:` term).
public struct BodySearchCancelled: Error, Sendable {}

/// Finds the body searcher for a store kind.
public enum BodySearch {
    /// The searcher for `location`, or a one-line reason why its kind cannot search bodies.
    public static func searcher(for location: StoreLocation) -> Result<any BodySearcher, StoreError> {
        switch location.kind {
        case JournalDriver.kind: return .success(JournalBodySearch(path: location.path))
        case SQLiteDriver.kind: return .success(SQLiteBodySearch(path: location.path))
        default:
            return .failure(.usage("body: is not supported for a \(location.kind) store (journal and SQLite only)"))
        }
    }

    /// Whether `body` holds `needle` (lowercase ASCII-folded bytes), ignoring ASCII case.
    static func contains(_ body: String?, _ needle: [UInt8]) -> Bool {
        guard var b = body else { return false }
        if needle.isEmpty { return true }
        return b.withUTF8 { buf in
            needle.withUnsafeBufferPointer { n in
                guard let h = buf.baseAddress, let nb = n.baseAddress else { return false }
                return find(h, buf.count, nb, n.count, from: 0) != nil
            }
        }
    }

    @inline(__always)
    static func find(_ h: UnsafePointer<UInt8>, _ count: Int, _ n: UnsafePointer<UInt8>, _ m: Int, from: Int) -> Int? {
        ByteSearch.find(h, count, n, m, from: from)
    }

    @inline(__always) static func lower(_ b: UInt8) -> UInt8 { ByteSearch.lower(b) }

    /// The longest run of the needle that every JSON writer stores as is (printable ASCII but `"` and `\`): the
    /// bytes a raw scan of JSON text looks for before decoding a candidate. Empty when there is none.
    static func rawRun(_ needle: String) -> [UInt8] {
        var best: ArraySlice<UInt8> = []
        let bytes = Array(needle.utf8)
        var start = 0
        for i in 0...bytes.count {
            let plain = i < bytes.count && bytes[i] >= 0x20 && bytes[i] < 0x7f && bytes[i] != 34 && bytes[i] != 92
            if !plain {
                if i - start > best.count { best = bytes[start..<i] }
                start = i + 1
            }
        }
        return Array(best)
    }
}
