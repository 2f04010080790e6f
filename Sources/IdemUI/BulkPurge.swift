import IdemCore

/// The bulk purge confirmation (`D` or `:purge-all`): every token the filter shows, what will happen to them, and
/// the count the operator must type before Enter purges them.
public struct BulkPurgeDialog: Sendable, Hashable {
    /// The filter the tokens were selected with, as typed.
    public var filter: String
    /// One order per token, on what the table showed when the dialog opened.
    public var orders: [PurgeOrder]
    /// Tokens by status, most first.
    public var byStatus: [(status: TokenStatus, count: Int)]
    /// Tokens by tenant, most first.
    public var byTenant: [(tenant: String, count: Int)]
    /// What will happen to the tokens of each status, one sentence per different wording (stores may differ).
    public var consequences: [TokenStatus: [String]]
    /// What the operator typed so far.
    public var typed = ""

    public static func == (a: BulkPurgeDialog, b: BulkPurgeDialog) -> Bool {
        a.filter == b.filter && a.orders == b.orders && a.typed == b.typed
    }

    public func hash(into h: inout Hasher) {
        h.combine(filter)
        h.combine(orders)
        h.combine(typed)
    }
}

extension AppState {
    /// Opens the bulk purge on the tokens the filter shows (not those already purged). Without a filter it says to
    /// set one: purging the whole table by accident must take more than two keys.
    mutating func openBulkPurge() -> [Effect] {
        if refusedAsReadOnly() { return [] }
        guard !filter.isEmpty || !marks.isEmpty else {
            notice = Notice(text: "set a filter first (/ or :filter): a bulk purge acts on the tokens the filter shows",
                            isError: true, at: now)
            return []
        }
        if bulkPurgeRunning {
            notice = Notice(text: "a bulk purge is still running", isError: true, at: now)
            return []
        }
        if indexStale { reindex() }
        let reason = marks.isEmpty ? "bulk purge from the dashboard (filter: \(filter.source))"
            : "bulk purge from the dashboard (\(marks.count) marked)"
        var orders: [PurgeOrder] = []
        var statuses: [TokenStatus: Int] = [:]
        var tenants: [String: Int] = [:]
        var consequences: [TokenStatus: Set<String>] = [:]
        for i in actedOnRecords() {
            let r = ledger.records[Int(i)]
            let status = r.status(at: now)
            guard status != .purged else { continue }
            let key = ledger.key(of: r)
            orders.append(PurgeOrder(target: purgeTarget(r), reason: reason))
            statuses[status, default: 0] += 1
            consequences[status, default: []].insert(orders[orders.count - 1].target.consequence)
            tenants[key.tenant, default: 0] += 1
        }
        guard !orders.isEmpty else {
            notice = Notice(text: "nothing to purge: the filter shows no token that is not purged already",
                            isError: true, at: now)
            return []
        }
        bulkPurge = BulkPurgeDialog(
            filter: marks.isEmpty ? filter.source : "the \(marks.count) marked", orders: orders,
            byStatus: statuses.sorted { ($0.value, $1.key.rawValue) > ($1.value, $0.key.rawValue) }
                .map { (status: $0.key, count: $0.value) },
            byTenant: tenants.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { (tenant: $0.key, count: $0.value) },
            consequences: consequences.mapValues { $0.sorted() })
        return []
    }

    /// Keys while the bulk dialog is up: digits and Backspace edit the count, Enter purges when it is right, Esc
    /// cancels.
    mutating func handleBulkPurge(_ key: Key) -> [Effect] {
        guard var d = bulkPurge else { return [] }
        switch key {
        case .escape, .char("q"):
            bulkPurge = nil
            notice = Notice(text: "bulk purge cancelled", isError: false, at: now)
        case .char(let c) where c.isASCII && c.isNumber:
            if d.typed.count < 9 { d.typed.append(c) }
            bulkPurge = d
        case .backspace:
            if !d.typed.isEmpty { d.typed.removeLast() }
            bulkPurge = d
        case .enter:
            guard d.typed == "\(d.orders.count)" else {
                notice = Notice(text: "type \(d.orders.count) to purge \(d.orders.count) tokens, or Esc", isError: true,
                                at: now)
                return []
            }
            bulkPurge = nil
            bulkPurgeRunning = true
            notice = Notice(text: "purging \(d.orders.count) tokens…", isError: false, at: now)
            return [.purgeMany(d.orders)]
        default:
            break
        }
        return []
    }

    /// What the run loop answers a `.purgeMany` with: a line to show, an error when anything was refused.
    mutating func bulkPurgeFinished(text: String, failed: Bool) {
        bulkPurgeRunning = false
        notice = Notice(text: text, isError: failed, at: now)
    }
}

extension BulkPurgeDialog {
    /// The dialog's lines, for `ActionDialogView.box`; the last is the typed count.
    func boxLines() -> [(String, Role)] {
        let n = orders.count
        func list(_ parts: [String], more: Int) -> String {
            parts.joined(separator: ", ") + (more > 0 ? ", +\(more) more" : "")
        }
        var lines: [(String, Role)] = [
            ("Purge \(Format.count(n)) token\(n == 1 ? "" : "s")?", .header),
            ("", .normal),
            ("filter     \(filter)", .normal),
            ("statuses   " + list(byStatus.map { "\($0.status.rawValue) \(Format.count($0.count))" }, more: 0), .normal),
            ("tenants    " + list(byTenant.prefix(4).map { "\($0.tenant) \(Format.count($0.count))" },
                                  more: max(0, byTenant.count - 4)), .normal),
            ("", .normal),
            ("What will happen:", .notice),
        ]
        for s in byStatus {
            for c in consequences[s.status] ?? [] { lines.append(("\(s.status.rawValue): \(c).", .notice)) }
        }
        lines += [
            ("Each token is purged on its own compare-and-set: one that changed since is left as it is.", .dim),
            ("", .normal),
            // The number to type is shown as it is typed: digits only.
            ("Type \(n) and Enter to purge them; Esc cancels.", .keyHint),
            ("> \(typed)_", typed == "\(n)" ? .selection : .normal),
        ]
        return lines
    }
}
