import IdemCore

/// Builds the side-by-side view's cells: per token the same sections (record, times, fingerprint, request, stored
/// response, timeline), then the columns merged into rows with each section as tall as its tallest column.
///
/// Every text from the store goes through the sanitizer and the secret masks, as in the detail view.
enum CompareBuilder {
    /// The section titles, in order; every column has each of them.
    static let titles = ["token", "times", "fingerprint", "request", "stored response", "timeline"]

    /// One token's sections: a list of lines per entry of `titles`.
    static func sections(_ key: TokenKey, content: DetailContent?, failure: String?, record: TokenRecord?,
                         secrets: SecretFields) -> [[[Span]]] {
        var head: [[Span]] = [[Span(Sanitizer.visible(key.token), .header)]]
        var times: [[Span]] = []
        var fp: [[Span]] = []
        if let r = record {
            head.append([Span(r.stored.rawValue, .normal), Span("  v\(r.version)", .dim)])
            times.append(label("created", Format.dateTime(r.createdAt)))
            times.append(label("expires", Format.dateTime(r.expiresAt)))
            times.append(label("last seen", Format.dateTime(r.lastSeen)))
            times.append(label("runs", "\(r.executions) · re-runs \(r.reexecutions) · hits \(r.hits)"))
            fp.append([Span(TextWidth.elideMiddle(Sanitizer.visible(r.fingerprint.description), to: 27), .normal)])
        } else {
            head.append([Span("not in the ledger", .dim)])
        }
        guard let d = content else {
            let why = failure.map { "could not read: " + Sanitizer.visible($0) } ?? "loading…"
            let line = [Span(why, failure == nil ? .dim : .error)]
            return [head, times, fp, [line], [line], [line]]
        }
        var request: [[Span]] = []
        if let req = d.request {
            request.append([Span(Sanitizer.visible(req.method) + " " + Sanitizer.visible(req.path), .header)])
            DetailBuilder.body(req.body, secrets: secrets, into: &request)
        } else {
            request.append([Span("(no stored request)", .dim)])
        }
        var response: [[Span]] = []
        if let res = d.response {
            response.append([Span("HTTP \(res.status)", res.status >= 400 ? .failed : .completed)])
            DetailBuilder.body(res.body, secrets: secrets, into: &response)
        } else {
            response.append([Span("(no stored response)", .dim)])
        }
        if let err = d.error { response.append([Span("error: ", .error), Span(Sanitizer.visible(err))]) }
        let timeline = d.timeline.map { e in
            [Span(Format.dateTime(e.at).dropLast().description + ms(e.at) + " ", .dim), Span(e.label, Role(event: e))]
        }
        return [head, times, fp, request, response, timeline]
    }

    /// `.123Z`: the milliseconds of an instant, for times that must tell retries apart.
    static func ms(_ t: Instant) -> String {
        let s = t.rfc3339
        return String(s.suffix(5))
    }

    static func label(_ name: String, _ value: String) -> [Span] {
        [Span(DetailBuilder.pad(name, 10), .headerLabel), Span(value, .normal)]
    }

    /// The columns merged into rows: a title row per section, then the section's lines, each section padded to its
    /// tallest column. A row holds one cell (a list of spans) per column.
    static func aligned(_ columns: [[[[Span]]]]) -> [[[Span]]] {
        var rows: [[[Span]]] = []
        for (i, title) in titles.enumerated() {
            rows.append(columns.map { _ in [Span("── " + title + " ", .border)] })
            let tall = columns.map { i < $0.count ? $0[i].count : 0 }.max() ?? 0
            for line in 0..<tall {
                rows.append(columns.map { i < $0.count && line < $0[i].count ? $0[i][line] : [] })
            }
        }
        return rows
    }
}
