import IdemCore

/// The side-by-side view of a double charge's tokens: which finding, the tokens' details as the run loop loads them,
/// the selected column and the scroll.
public struct CompareState: Sendable, Hashable {
    /// The most tokens read and shown side by side (a finding lists at most a few more).
    public static let maxTokens = 8

    public var finding: Finding
    public var keys: [TokenKey]
    public var contents: [TokenKey: DetailContent] = [:]
    public var failures: [TokenKey: String] = [:]
    /// The selected token (its column), and the first body row shown.
    public var column = 0
    public var scroll = 0
    /// The merged rows (one per line, a cell per token), rebuilt when a detail arrives.
    public var rows: [[[Span]]] = []
    /// The verdict in words, rebuilt with the rows.
    public var verdict: [String] = []

    public init(finding: Finding) {
        self.finding = finding
        keys = Array(finding.tokens.indices.prefix(CompareState.maxTokens).map { finding.key($0) })
    }

    /// True once every token's detail came (or failed).
    public var loaded: Bool { keys.allSatisfy { contents[$0] != nil || failures[$0] != nil } }

    public var selectedKey: TokenKey? { keys.indices.contains(column) ? keys[column] : nil }

    /// Builds the rows and the verdict again from what has come.
    mutating func rebuild(ledger: Ledger, now: Instant, secrets: SecretFields) {
        let columns = keys.map { key in
            CompareBuilder.sections(key, content: contents[key], failure: failures[key], record: ledger.record(key),
                                    secrets: secrets)
        }
        rows = CompareBuilder.aligned(columns)
        verdict = loaded ? CompareVerdict.words(keys.compactMap { contents[$0] }, finding: finding)
            : ["reading the tokens from the store…"]
    }
}

extension AppState {
    /// Opens the side-by-side view of the selected finding's tokens; the run loop reads them on their feeds.
    mutating func openCompare() -> [Effect] {
        guard let f = findings.selected else { return [] }
        var c = CompareState(finding: f)
        c.rebuild(ledger: ledger, now: now, secrets: secrets)
        compare = c
        mode = .compare
        return [.loadCompare(c.keys)]
    }

    /// A token's detail for the side-by-side view came (or could not be read).
    mutating func compareArrived(_ key: TokenKey, content: DetailContent?, failure: String?) {
        guard var c = compare, c.keys.contains(key) else { return }
        if let content { c.contents[key] = content }
        if let failure { c.failures[key] = failure }
        c.rebuild(ledger: ledger, now: now, secrets: secrets)
        compare = c
    }

    /// Keys in the side-by-side view: ←/→ pick a token, Enter opens it, j/k scroll, Esc back to the findings.
    mutating func handleCompare(_ key: Key) -> [Effect] {
        guard var c = compare else {
            mode = .findings
            return []
        }
        let bodyRows = max(1, CompareView.bodyRows(self).count)
        let maxScroll = max(0, c.rows.count - bodyRows)
        var effects: [Effect] = []
        switch key {
        case .char("q"): return [.quit]
        case .escape, .backspace:
            mode = .findings
            compare = nil
            return []
        case .char("?"), .function(1):
            mode = .help
            helpReturnsTo = .compare
            helpScroll = 0
        case .right, .char("l"), .tab: c.column = min(c.keys.count - 1, c.column + 1)
        case .left, .char("h"), .backTab: c.column = max(0, c.column - 1)
        case .char("j"), .down: c.scroll = min(maxScroll, c.scroll + 1)
        case .char("k"), .up: c.scroll = max(0, c.scroll - 1)
        case .pageDown, .char(" "), .ctrl("f"): c.scroll = min(maxScroll, c.scroll + bodyRows - 1)
        case .pageUp, .ctrl("b"): c.scroll = max(0, c.scroll - bodyRows + 1)
        case .char("g"), .home: c.scroll = 0
        case .char("G"), .end: c.scroll = maxScroll
        case .char("y"):
            if let k = c.selectedKey { effects = [.copy(k.token)] }
        case .enter:
            guard let k = c.selectedKey else { break }
            compare = c
            detail = Detail(key: k)
            detailReturnsTo = .compare
            mode = .detail
            return [.loadDetail(k)]
        case .char(":"):
            input = .command(text: "")
        default: break
        }
        compare = c
        return effects
    }
}
