/// Finds requests that ran again because their token had expired: reexecuted_after_expiry, one finding per token.
struct ReexecutionTracker: Detector {
    struct Entry: Sendable {
        var tenant: String
        var token: String
        var operation: String?
        var first: Int64
        var last: Int64
        var count: Int

        mutating func note(_ t: Int64, operation op: String?) {
            count += 1
            if t < first { first = t }
            if t > last { last = t }
            if let op { operation = op }
        }
    }

    let config: DetectorConfig
    var entries: [TokenKey: Entry] = [:]
    var dropped = 0

    init(config: DetectorConfig) { self.config = config }

    /// Requests whose outcome is `reexecuted`; nothing else.
    mutating func observe(_ e: StoreEvent) {
        guard e.kind == .request, e.outcome == .reexecuted else { return }
        reexecuted(e)
    }

    func report(at now: Instant, ledger: Ledger, into out: inout [Finding]) -> [FindingKind: Int] {
        findings(into: &out)
        return [:]
    }

    var droppedByKind: [FindingKind: Int] { .counted((.reexecutedAfterExpiry, dropped)) }

    /// A request whose outcome is `reexecuted`.
    mutating func reexecuted(_ e: StoreEvent) {
        let t = e.at.ms
        let key = e.key
        if entries[key] != nil {
            entries[key]?.note(t, operation: e.operation)
        } else if entries.count < config.maxFindingsPerKind {
            entries[key] = Entry(tenant: e.tenant, token: e.token, operation: e.operation, first: t, last: t, count: 1)
        } else {
            dropped += 1
        }
    }

    func findings(into out: inout [Finding]) {
        for x in entries.values {
            let times = x.count == 1 ? "once" : "\(x.count) times"
            let when = x.count == 1 ? "at \(Instant(ms: x.first).rfc3339)"
                : "from \(Instant(ms: x.first).rfc3339) to \(Instant(ms: x.last).rfc3339)"
            let op = x.operation.map { " \($0)" } ?? ""
            let evidence = "re-executed\(op) \(times) \(when): the request arrived after its token expired, "
                + "so the work ran again (a possible double charge)"
            out.append(Finding(kind: .reexecutedAfterExpiry, severity: .high, tenant: x.tenant, tokens: [x.token],
                               firstSeen: Instant(ms: x.first), lastSeen: Instant(ms: x.last), evidence: evidence,
                               operation: x.operation, count: x.count))
        }
    }
}
