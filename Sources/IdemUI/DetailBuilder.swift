import IdemCore

/// Builds the detail view's lines for a token: the record, the request, the stored response and the timeline.
///
/// Built once when the detail loads (not per frame); every text from the store goes through the sanitizer and the
/// secret masks.
public enum DetailBuilder {
    /// `findings` are the ones the token is part of (with their evidence), `siblings` its sibling tokens (see
    /// `DetailRelations`), listed with the key that opens each.
    public static func lines(_ d: DetailContent, record: TokenRecord?, ledger: Ledger, now: Instant,
                             secrets: SecretFields, findings: [Finding] = [], siblings: [TokenKey] = [],
                             siblingWindow: TimeSpan = .minutes(10)) -> [[Span]] {
        var out: [[Span]] = []
        func section(_ title: String) {
            if !out.isEmpty { out.append([]) }
            out.append([Span("── " + title + " ", .header)])
        }
        func field(_ name: String, _ value: String, _ role: Role = .normal) {
            out.append([Span(pad(name, 16), .headerLabel), Span(value, role)])
        }

        section("Record")
        if ledger.isMultiStore, Int(d.key.store) < ledger.storeNames.count {
            field("store", Sanitizer.visible(ledger.storeNames[Int(d.key.store)]))
        }
        field("tenant", Sanitizer.visible(d.key.tenant))
        field("token", Sanitizer.visible(d.key.token))
        if let r = record {
            let status = r.status(at: now)
            field("status", status.rawValue + "  (stored: \(r.stored.rawValue))", Role(status))
            field("operation", Sanitizer.visible(ledger.operation(of: r)))
            field("created", "\(r.createdAt.rfc3339)  (\(Format.age(now - r.createdAt)) ago)")
            field("updated", r.updatedAt.rfc3339)
            field("expires", "\(r.expiresAt.rfc3339)  (\(Format.expiresIn(r, now: now)))")
            field("locked until", r.lockedUntil.rfc3339)
            field("last seen", "\(r.lastSeen.rfc3339)  (\(Format.age(now - r.lastSeen)) ago)")
            field("fingerprint", Sanitizer.visible(r.fingerprint.description))
            field("version", "\(r.version)   executions \(r.executions)   reexecutions \(r.reexecutions)")
            field("hits", "\(r.hits)   mismatches \(r.mismatches)   conflicts \(r.conflicts)   admin \(r.adminEvents)")
            if r.responseStatus != 0 { field("response", "\(r.responseStatus)") }
        } else {
            field("status", "not in the ledger", .dim)
        }

        if !findings.isEmpty {
            section("Findings (\(findings.count))")
            for f in findings {
                out.append([Span(pad(f.severity.rawValue, 9), Role(f.severity)), Span(f.kind.rawValue, .header),
                            Span("  first \(Format.dateTime(f.firstSeen))", .dim)])
                out.append([Span("  "), Span(Sanitizer.visible(f.evidence))])
            }
        }
        if !siblings.isEmpty {
            section("Siblings (\(siblings.count)): same tenant, operation and payload within \(siblingWindow.compact)")
            for (n, k) in siblings.enumerated() {
                let r = ledger.record(k)
                var line = [Span("[\(n + 1)] ", .keyHint), Span(pad(Sanitizer.visible(k.token), 28))]
                if let r {
                    line.append(Span("created " + Format.dateTime(r.createdAt) + "  ", .dim))
                    line.append(Span(r.status(at: now).rawValue, Role(r.status(at: now))))
                }
                out.append(line)
            }
            out.append([Span(siblings.count == 1 ? "press 1 to open it" : "press 1-\(siblings.count) to open one", .dim)])
        }

        section("Request")
        if let req = d.request {
            out.append([Span(Sanitizer.visible(req.method) + " " + Sanitizer.visible(req.path), .header)])
            headers(req.headers, secrets: secrets, into: &out)
            body(req.body, secrets: secrets, into: &out)
        } else {
            out.append([Span("(the store holds no request for this token)", .dim)])
        }

        section("Stored response")
        if let res = d.response {
            out.append([Span("HTTP \(res.status)", res.status >= 400 ? .failed : .completed)])
            headers(res.headers, secrets: secrets, into: &out)
            body(res.body, secrets: secrets, into: &out)
        } else {
            out.append([Span("(no stored response)", .dim)])
        }
        if let err = d.error {
            out.append([Span("error: ", .error), Span(Sanitizer.visible(err))])
        }

        section("Timeline (\(d.timeline.count) events)")
        let fingerprint = record?.fingerprint
        var day = ""
        var expiry: Instant?
        for e in d.timeline {
            // Milliseconds (retries are apart by less than a second), the date once per day.
            let stamp = e.at.rfc3339
            if stamp.prefix(10) != day {
                day = String(stamp.prefix(10))
                out.append([Span("── " + day + " ──", .dim)])
            }
            if e.outcome == .reexecuted, let gone = expiry, gone <= e.at {
                out.append([Span(String(repeating: " ", count: 13)),
                            Span("⟂ expired \(Format.clockTime(gone))\(CompareBuilder.ms(gone)), "
                                + "\((e.at - gone).compact) before this retry ran the work again", .expired)])
            }
            if e.kind == .request, e.outcome?.executes == true, let x = e.expiresAt { expiry = x }
            let when = String(stamp.dropFirst(11).dropLast())
            var line = [Span(when + " ", .dim), Span(pad(e.label, 11), Role(event: e))]
            line.append(Span(Sanitizer.visible(e.operation ?? ""), .normal))
            switch e.kind {
            case .request where e.outcome == .mismatch:
                let stored = e.storedFingerprint ?? fingerprint
                line.append(Span("  fingerprint ", .dim))
                line.append(Span(Sanitizer.visible(TextWidth.elideMiddle(e.fingerprint?.description ?? "?", to: 19)), .mismatch))
                line.append(Span(" ≠ stored ", .dim))
                line.append(Span(Sanitizer.visible(TextWidth.elideMiddle(stored?.description ?? "?", to: 19)), .normal))
            case .completed:
                line.append(Span("HTTP \(e.responseStatus ?? 0)", .normal))
            case .failed:
                line.append(Span(Sanitizer.visible(e.error ?? ""), .failed))
            case .purge, .replay:
                var who = "by \(Sanitizer.visible(e.actor ?? "?"))"
                if let why = e.reason { who += ": " + Sanitizer.visible(why) }
                if let target = e.target { who += " → " + Sanitizer.visible(target) }
                if let s = e.resultStatus { who += " (HTTP \(s))" }
                if let saw = e.sawStatus { who += " [saw \(saw.rawValue)]" }
                line.append(Span(who, .admin))
            default:
                break
            }
            out.append(line)
        }
        return out
    }

    static func headers(_ h: [String: String], secrets: SecretFields, into out: inout [[Span]]) {
        for name in h.keys.sorted() {
            let masked = secrets.isSecretHeader(name)
            out.append([Span(Sanitizer.visible(name) + ": ", .headerLabel),
                        Span(Sanitizer.visible(masked ? secrets.masked(h[name] ?? "") : h[name] ?? ""), masked ? .dim : .normal)])
        }
    }

    static func body(_ body: String?, secrets: SecretFields, into out: inout [[Span]]) {
        guard let body, !body.isEmpty else { return }
        out.append([])
        if let json = JSONPretty.lines(body, secrets: secrets) {
            out.append(contentsOf: json)
        } else {
            for line in body.split(separator: "\n", omittingEmptySubsequences: false).prefix(5000) {
                out.append([Span(Sanitizer.visible(String(line)))])
            }
        }
    }

    static func pad(_ s: String, _ w: Int) -> String {
        let n = TextWidth.of(s)
        return n >= w ? s + " " : s + String(repeating: " ", count: w - n)
    }
}
