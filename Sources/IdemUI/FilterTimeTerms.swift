import IdemCore

/// The filter's time and body terms: `at:A..B`, `created>T`, `created<T`, `seen>T`, `seen<T`, `body:TEXT`.
///
/// Times are `TimeSpec`s (RFC 3339, `HH:MM[:SS]` UTC, `now`, `-15m`); they stay unresolved in the filter and are
/// resolved each time it is matched, against the clock (relative times follow it) and the store's newest event
/// (a time of day is the most recent one at or before it).
extension Filter {
    static let timeFields: Set<String> = ["created", "seen", "lastseen", "last_seen"]

    /// A `created`/`seen` comparison, or nil when `name` is no time field.
    static func parseTimeComparison(_ word: String, name: String, op: String, value: String) -> Result<Term, FilterError>? {
        guard timeFields.contains(name) else { return nil }
        guard let spec = TimeSpec(parsing: value) else {
            return .failure(FilterError("'\(word)': \(name) needs a time after \(op): 2026-11-29T07:14:00Z, 07:14, "
                + "07:14:30 (UTC) or -15m"))
        }
        let cmp = Comparison(rawValue: op) ?? .eq
        return .success(name == "created" ? .created(cmp, spec) : .seen(cmp, spec))
    }

    /// `at:WINDOW` or `body:TEXT`.
    static func parseTimeOrBody(_ word: String, name: String, value: String) -> Result<Term, FilterError> {
        if name == "body" { return .success(.body(value.lowercased())) }
        guard let window = TimeWindow(parsing: value) else {
            return .failure(FilterError("'\(word)': at needs a time or a window A..B: 07:00..07:30, "
                + "2026-11-29T07:14:00Z.., -15m.. (UTC)"))
        }
        return .success(.at(window))
    }

    /// The `body:` needles, in order, without repeats (each is a search through the store's bodies).
    public var bodyNeedles: [String] {
        var out: [String] = []
        func walk(_ t: Term) {
            switch t {
            case .body(let s): if !out.contains(s) { out.append(s) }
            case .not(let inner): walk(inner)
            default: break
            }
        }
        terms.forEach(walk)
        return out
    }

    /// Whether a term resolves a relative time (`-15m`, `now`), which moves with the clock.
    var usesRelativeTime: Bool {
        func relative(_ s: TimeSpec?) -> Bool { if case .relative? = s { return true }; return false }
        func uses(_ t: Term) -> Bool {
            switch t {
            case .at(let w): return relative(w.from) || relative(w.to)
            case .created(_, let s), .seen(_, let s): return relative(s)
            case .not(let inner): return uses(inner)
            default: return false
            }
        }
        return terms.contains(where: uses)
    }
}
