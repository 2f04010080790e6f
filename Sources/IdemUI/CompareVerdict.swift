import IdemCore

/// Says, from the tokens' timelines, why one payload ran more than once: the client made a new token per retry,
/// or the server ran a retry after the token expired (or both).
///
/// The evidence is the executions (`executed`, `reexecuted`) with their times and the expiry each execution set: a
/// `reexecuted` after the previous execution's expiry is the server's retention running out; a second token that
/// executed the same payload while the first one was still valid is the client's new token.
public enum CompareVerdict {
    /// One execution of the payload under a token.
    struct Run: Equatable {
        var token: String
        var at: Instant
        var reexecuted: Bool
        /// When the token expired before this run (the previous execution's expiry), for a `reexecuted`.
        var expiredAt: Instant?
        /// The expiry this run set.
        var expiresAt: Instant?
    }

    /// The runs of every token, oldest first.
    static func runs(_ details: [DetailContent]) -> [Run] {
        var out: [Run] = []
        for d in details {
            var lastExpiry: Instant?
            for e in d.timeline where e.kind == .request && e.outcome?.executes == true {
                let re = e.outcome == .reexecuted
                out.append(Run(token: d.key.token, at: e.at, reexecuted: re, expiredAt: re ? lastExpiry : nil,
                               expiresAt: e.expiresAt))
                lastExpiry = e.expiresAt ?? lastExpiry
            }
        }
        return out.sorted { $0.at < $1.at }
    }

    /// The verdict in sentences (the first one is the answer), from the loaded details.
    public static func words(_ details: [DetailContent], finding: Finding) -> [String] {
        let runs = self.runs(details)
        guard let first = runs.first else {
            return ["no executions in the tokens' timelines: the store no longer holds their history"]
        }
        var out: [String] = []
        let tokens = Array(Set(runs.map(\.token)))
        let server = runs.filter(\.reexecuted)
        // A later token ran while an earlier one was still valid: the client did not reuse it.
        var clientRuns: [Run] = []
        var seen: [String: Run] = [:]
        for r in runs {
            if seen[r.token] == nil, let earlier = seen.values.min(by: { $0.at < $1.at }),
               earlier.expiresAt.map({ r.at < $0 }) ?? true {
                clientRuns.append(r)
            }
            if seen[r.token] == nil { seen[r.token] = r }
        }
        let span = TimeSpan(ms: (runs.last?.at ?? first.at).ms - first.at.ms)
        if !clientRuns.isEmpty {
            let firstToken = Sanitizer.visible(first.token)
            let valid = first.expiresAt.map { " (it was valid until \(Format.dateTime($0)))" } ?? ""
            out.append("The client made a new token per retry: \(tokens.count) tokens carried one payload within "
                + "\(span.compact); " + clientRuns.map { "\(Sanitizer.visible($0.token)) ran at "
                    + Format.clockTime($0.at) + CompareBuilder.ms($0.at) }.joined(separator: ", ")
                + " while \(firstToken) was still valid\(valid), so the store could not deduplicate.")
        }
        for r in server {
            let expired = r.expiredAt.map { "expired at \(Format.dateTime($0)) and " } ?? "had expired and "
            let later = r.expiredAt.map { " (\(TimeSpan(ms: r.at.ms - $0.ms).compact) later)" } ?? ""
            out.append("The server ran a retry after expiry: \(Sanitizer.visible(r.token)) \(expired)a retry at "
                + "\(Format.dateTime(r.at))\(later) ran the work again (the retention ran out before the retries "
                + "stopped).")
        }
        if out.isEmpty {
            out.append("The client made a new token per retry, after expiry: \(tokens.count) tokens ran one payload \(runs.count) times within \(span.compact), "
                + "each after the one before had expired: new tokens on retries after expiry.")
        }
        if clientRuns.isEmpty || server.isEmpty {
            out.append(server.isEmpty ? "No token ran after its own expiry: not the server's retention."
                : "No second token ran while another was valid: not a new token per retry.")
        }
        return out
    }
}
