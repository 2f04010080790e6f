import IdemCore

/// What `body:` terms found in the store, and the search under way: the results by needle, kept while the filter
/// names the needle, so typing on and back does not read the store again.
public struct BodySearchState: Sendable, Hashable {
    /// The tokens each needle's search found.
    public var found: [String: Set<TokenKey>] = [:]
    /// Needles asked of the run loop and not answered yet, in order.
    public var pending: [String] = []
    /// How far the running search is: its needle, and done of total (bytes of a journal, rows of SQLite).
    public var progress: (needle: String, done: Int64, total: Int64)?
    /// Why the last search failed (an unsupported store kind), until the filter changes.
    public var failure: String?

    public init() {}

    public static func == (a: BodySearchState, b: BodySearchState) -> Bool {
        a.found == b.found && a.pending == b.pending && a.failure == b.failure
            && a.progress?.needle == b.progress?.needle && a.progress?.done == b.progress?.done
    }

    public func hash(into h: inout Hasher) {
        h.combine(pending)
        h.combine(failure)
    }

    /// The status line while a search runs: `body: searching "cus_alpha" 42%`.
    public var statusLine: String? {
        guard let needle = pending.first else { return nil }
        let shown = Sanitizer.visible(needle)
        guard let p = progress, p.needle == needle, p.total > 0 else { return "body: searching \"\(shown)\"…" }
        return "body: searching \"\(shown)\" \(min(100, p.done * 100 / p.total))%"
    }
}

extension AppState {
    /// The search the filter's `body:` needles need: results of needles no longer named are dropped, and needles
    /// without results are asked for (the run loop stops the search before, if any).
    mutating func bodySearchEffects() -> [Effect] {
        let needles = filter.bodyNeedles
        bodySearch.found = bodySearch.found.filter { needles.contains($0.key) }
        let missing = needles.filter { bodySearch.found[$0] == nil }
        guard missing != bodySearch.pending else { return [] }
        bodySearch.pending = missing
        bodySearch.progress = nil
        bodySearch.failure = nil
        return missing.isEmpty ? [.cancelBodySearch] : [.searchBodies(missing)]
    }

    /// The records each needle found, for the matcher.
    var bodyMatches: [String: Set<Int32>] {
        bodySearch.found.mapValues { keys in Set(keys.compactMap { ledger.indexOf($0).map { Int32($0) } }) }
    }

    mutating func bodySearchMessage(_ message: Message) {
        switch message {
        case .bodySearchProgress(let needle, let done, let total):
            guard bodySearch.pending.contains(needle) else { return }
            bodySearch.progress = (needle, done, total)
        case .bodySearchFinished(let needle, let keys):
            bodySearch.pending.removeAll { $0 == needle }
            bodySearch.progress = nil
            if filter.bodyNeedles.contains(needle) {
                bodySearch.found[needle] = keys
                indexStale = true
            }
        case .bodySearchFailed(let needle, let reason):
            bodySearch.pending.removeAll { $0 == needle }
            bodySearch.progress = nil
            bodySearch.failure = reason
            notice = Notice(text: reason, isError: true, at: now)
        default:
            break
        }
    }
}
