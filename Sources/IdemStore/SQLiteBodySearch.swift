import IdemCore

/// `body:TEXT` on a SQLite store: a `LIKE` over the `request` and `response` JSON of `idem_events`, in ranges of
/// `seq` (progress and a chance to stop between them), each candidate row's body then decoded and checked.
///
/// The `LIKE` looks for the needle's longest run that JSON stores as is (see `BodySearch.rawRun`), ASCII
/// case-insensitive as `LIKE` is by default; the check on the decoded body makes the answer exact (a needle
/// found only in a header or the path does not count). Its own read-only connection: the reader is not touched.
public struct SQLiteBodySearch: BodySearcher {
    public let path: String
    /// Rows of `idem_events` per statement.
    var chunk: Int64 = 200_000

    public init(path: String) { self.path = path }

    public func search(_ needle: String, progress: (Int64, Int64) -> Bool) throws -> Set<TokenKey> {
        let db = try SQLiteSchema.open(path: path, mode: .readOnly)
        let total = try db.scalarInt("SELECT max(seq) FROM idem_events") ?? 0
        let run = BodySearch.rawRun(needle)
        let like = "%" + String(decoding: run, as: UTF8.self)
            .replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
        let statement = try db.prepare("""
            SELECT tenant, token, request, response FROM idem_events
            WHERE seq > ?1 AND seq <= ?2
              AND ((request IS NOT NULL AND request LIKE ?3 ESCAPE '\\')
                OR (response IS NOT NULL AND response LIKE ?3 ESCAPE '\\'))
            """)
        let json = SQLiteJSON()
        let folded = Array(needle.lowercased().utf8)
        var found: Set<TokenKey> = []
        var from: Int64 = 0
        guard progress(0, total) else { throw BodySearchCancelled() }
        while from < total {
            let to = min(total, from + chunk)
            statement.reset()
            try statement.bind(1, from)
            try statement.bind(2, to)
            try statement.bind(3, like)
            while try statement.step() {
                guard let tenant = statement.text(0), let token = statement.text(1) else { continue }
                let key = TokenKey(tenant: tenant, token: token)
                if found.contains(key) { continue }
                let request = statement.text(2).flatMap { json.decode(StoredRequest.self, from: $0) }
                let response = statement.text(3).flatMap { json.decode(StoredResponse.self, from: $0) }
                if BodySearch.contains(request?.body, folded) || BodySearch.contains(response?.body, folded) {
                    found.insert(key)
                }
            }
            from = to
            guard progress(from, total) else { throw BodySearchCancelled() }
        }
        return found
    }
}
