import ArgumentParser
import IdemCore
import IdemStore

/// `idemtop show STORE TOKEN`: one token's record, its request and response, and its timeline.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one token: the record, the stored request and response, and every event with it.",
        discussion: """
            Secret headers and fields (Authorization, card_number, ...) are masked.

            Examples:
              idemtop show payments.jsonl 3f2a9c1e-8d7b-4c55-a1f0-0c9d8e7f6a5b
              idemtop show payments.db order-10042 --tenant umbrella --format json
            """)

    @OptionGroup var store: StoreArgument
    @Argument(help: "The token.") var token: String
    @Option(help: "The tenant, when the token exists in more than one.") var tenant: String?
    @Option(help: "Output format.") var format: TableOrJSON = .table
    @OptionGroup var clock: ClockOptions

    func run() throws {
        let now = try clock.instant()
        let loaded = try LoadedStore.load(try store.location(), policy: try clock.policy(), until: clock.cutoff)
        let ledger = loaded.ledger
        let index = try ShowCommand.find(token: token, tenant: tenant, in: ledger)
        let record = ledger.records[index]
        let key = TokenKey(tenant: ledger.tenant(of: record), token: record.token)
        let detail = try loaded.reader.detail(for: key)
        let fields = RecordFields(ledger: ledger, now: now)
        let mask = SecretMask.standard(adding: try UserConfig.load().secretFields)
        var out = Output()
        switch format {
        case .json:
            var object = fields.json(record)
            object["request"] = detail.request.map { r in
                ["method": r.method, "path": r.path, "headers": Dictionary(uniqueKeysWithValues: mask.headers(r.headers)),
                 "body": r.body.map(mask.body) as Any]
            } as Any
            object["response"] = detail.response.map { r in
                ["status": r.status, "headers": Dictionary(uniqueKeysWithValues: mask.headers(r.headers)),
                 "body": r.body.map(mask.body) as Any]
            } as Any
            object["error"] = detail.error as Any
            object["timeline"] = detail.timeline.map(EventFields.json)
            out.line(JSONText.encode(object, pretty: true))
        case .table:
            for line in ShowCommand.lines(record: record, detail: detail, fields: fields, mask: mask, now: now) {
                out.line(line)
            }
        }
        out.flush()
        loaded.reportMalformed()
    }

    /// The record's index for `token`, or a one-line failure when it is missing or ambiguous.
    static func find(token: String, tenant: String?, in ledger: Ledger) throws -> Int {
        if let tenant {
            guard let i = ledger.indexOf(TokenKey(tenant: tenant, token: token)) else {
                throw CLIFailure(message: "no token '\(Sanitizer.visible(token))' in tenant '\(Sanitizer.visible(tenant))'")
            }
            return i
        }
        let found = ledger.indexes(token: token)
        guard let first = found.first else {
            throw CLIFailure(message: "no token '\(Sanitizer.visible(token))' in the store")
        }
        guard found.count == 1 else {
            let tenants = found.map { Sanitizer.visible(ledger.tenant(of: ledger.records[$0])) }.joined(separator: ", ")
            throw CLIFailure(message: "token '\(Sanitizer.visible(token))' exists in tenants \(tenants): pass --tenant", code: 2)
        }
        return first
    }

    static func lines(record r: TokenRecord, detail: TokenDetail, fields: RecordFields, mask: SecretMask,
                      now: Instant) -> [String] {
        let ledger = fields.ledger
        let status = r.status(at: now)
        func when(_ t: Instant) -> String {
            let d = now - t
            return "\(t.rfc3339)  (\(d.ms >= 0 ? "\(d.compact) ago" : "in \((-d).compact)"))"
        }
        let countdown = RecordFields.expiry(r, status: status, now: now)
        let expiry = [.purged, .expired, .stuck].contains(status) ? countdown : "expires in \(countdown)"
        var lines = [
            "token        \(Sanitizer.visible(r.token))",
            "tenant       \(Sanitizer.visible(ledger.tenant(of: r)))",
            "operation    \(Sanitizer.visible(ledger.operation(of: r)))",
            "status       \(status.rawValue)  (stored \(r.stored.rawValue); \(expiry))",
            "created      \(when(r.createdAt))",
            "updated      \(when(r.updatedAt))",
            "expires      \(when(r.expiresAt))",
            "locked until \(when(r.lockedUntil))",
            "last seen    \(when(r.lastSeen))",
            "fingerprint  \(r.fingerprint)",
            "counts       hits \(r.hits)  mismatches \(r.mismatches)  conflicts \(r.conflicts)  "
                + "reexecutions \(r.reexecutions)  executions \(r.executions)  version \(r.version)",
            "",
        ]
        func body(_ text: String?) {
            guard let text, !text.isEmpty else { return }
            for l in mask.body(text).split(separator: "\n", omittingEmptySubsequences: false) {
                lines.append("  " + Sanitizer.visible(String(l)))
            }
        }
        if let q = detail.request {
            lines.append("request      \(Sanitizer.visible(q.method)) \(Sanitizer.visible(q.path))")
            for (k, v) in mask.headers(q.headers) { lines.append("  \(Sanitizer.visible(k)): \(Sanitizer.visible(v))") }
            body(q.body)
        } else {
            lines.append("request      (the store holds no request for this token)")
        }
        if let p = detail.response {
            lines.append("response     \(p.status)")
            for (k, v) in mask.headers(p.headers) { lines.append("  \(Sanitizer.visible(k)): \(Sanitizer.visible(v))") }
            body(p.body)
        } else if let e = detail.error {
            lines.append("error        \(Sanitizer.visible(e))")
        } else {
            lines.append("response     (none stored)")
        }
        lines.append("")
        lines.append("timeline (\(detail.timeline.count) events)")
        for e in detail.timeline { lines.append("  " + EventFields.line(e)) }
        return lines
    }
}
