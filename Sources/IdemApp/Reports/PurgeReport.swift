import IdemActions
import IdemCore
import IdemStore

/// A purge from the command line without its prompts: which tokens, what the operator is shown first, and what
/// `--format json` prints afterwards.
public enum PurgeRun {
    /// Why the tokens cannot be purged as asked; `code` is the exit status (3: refused).
    public struct Refusal: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var code: Int32
        public var description: String { message }
    }

    /// The one token named, on what the ledger shows now (`expectVersion` overrides the version to compare).
    public static func target(token: String, tenant: String?, expectVersion: Int?, in ledger: Ledger,
                              at now: Instant) throws -> PurgeTarget {
        let record = ledger.records[try TokenLookup.find(token: token, tenant: tenant, in: ledger)]
        var target = PurgeTarget(record: record, in: ledger, at: now)
        if let expectVersion { target.expect.version = expectVersion }
        guard record.stored != .purged else {
            throw Refusal(message: "refused: \(target.key.visibleText) is already purged", code: 3)
        }
        return target
    }

    /// What is shown before anything is purged: each token, what will happen by status, the audit promise.
    public static func preview(_ targets: [PurgeTarget], dryRun: Bool) -> [String] {
        guard !targets.isEmpty else { return ["no tokens match: nothing to purge"] }
        var lines = [dryRun ? "would purge \(targets.count) token(s):" : "to purge \(targets.count) token(s):"]
        for t in targets { lines.append("  " + describe(t)) }
        let consequences = Set(targets.map(\.consequence))
        for c in consequences.sorted() {
            let which = consequences.count == 1 ? ""
                : "\(targets.first { $0.consequence == c }?.expect.status.rawValue ?? ""): "
            lines.append("  \(which)\(c)")
        }
        lines.append("  every purge is recorded as an admin event (who, when, why, what it replaced)")
        return lines
    }

    /// `acme/t1  POST /v1/charges  stuck  age 12m  hits 3  version 4`.
    public static func describe(_ t: PurgeTarget) -> String {
        [t.key.visibleText, Sanitizer.visible(t.operation), t.expect.status.rawValue, "age \(t.age.compact)",
         "hits \(t.hits)", "version \(t.expect.version)"].joined(separator: "  ")
    }

    /// The line for one outcome: what the store did (`PurgeWording.done`), on what was seen.
    public static func line(_ t: PurgeTarget, _ outcome: PurgeOutcome, actor: String) -> String {
        switch outcome {
        case .purged(let e):
            return "\(t.wording.done) \(t.key.visibleText) (saw \(t.expect.status.rawValue), version \(t.expect.version)) by "
                + Sanitizer.visible(e.actor ?? actor)
        case .refused(let why):
            return "refused: \(why)"
        }
    }

    /// Exit 3 when any purge was refused: one line for one token, a count for a bulk purge.
    public static func failIfRefused(_ refused: Int, of total: Int, why: String?) throws {
        guard refused > 0 else { return }
        if total == 1, let why { throw Refusal(message: "refused: \(why)", code: 3) }
        throw Refusal(message: "\(refused) of \(total) purges were refused: those tokens changed since "
                          + "you looked and were left as they are", code: 3)
    }
}

/// `purge --format json`: what was seen of each token and what happened to it.
public struct PurgeReport: Encodable, Sendable {
    public struct Item: Encodable, Sendable {
        public var tenant: String
        public var token: String
        public var operation: String
        public var status: String
        public var version: Int
        public var ageS: Int64
        public var hits: Int
        public var consequence: String
        /// `would_purge`, `purged` or `refused`.
        public var result: String
        public var event: EventReport?
        public var refusedBecause: String?

        enum CodingKeys: String, CodingKey {
            case tenant, token, operation, status, version, hits, consequence, result, event
            case ageS = "age_s", refusedBecause = "refused_because"
        }
    }

    public var dryRun: Bool
    public var reason: String
    public var purged: Int
    public var refused: Int
    public var tokens: [Item]
    /// The first refusal's reason, for the one-line error after the object.
    public let firstRefusal: String?

    enum CodingKeys: String, CodingKey {
        case reason, purged, refused, tokens
        case dryRun = "dry_run"
    }

    /// The report for `targets` and their outcomes (nil: not purged, a dry run).
    public init(targets: [PurgeTarget], outcomes: [PurgeOutcome?], dryRun: Bool, reason: String) {
        var items: [Item] = []
        var purged = 0, refused = 0
        var firstWhy: String?
        for (t, outcome) in zip(targets, outcomes) {
            var item = Item(tenant: t.key.tenant, token: t.key.token, operation: t.operation,
                            status: t.expect.status.rawValue, version: t.expect.version, ageS: t.age.ms / 1000,
                            hits: t.hits, consequence: t.consequence, result: "would_purge")
            switch outcome {
            case nil: break
            case .purged(let e):
                item.result = "purged"
                item.event = EventReport(e)
                purged += 1
            case .refused(let why):
                item.result = "refused"
                item.refusedBecause = why
                firstWhy = firstWhy ?? why
                refused += 1
            }
            items.append(item)
        }
        self.dryRun = dryRun
        self.reason = reason
        self.purged = purged
        self.refused = refused
        tokens = items
        firstRefusal = firstWhy
    }
}

extension TokenKey {
    /// `tenant/token` with control characters made visible.
    public var visibleText: String { Sanitizer.visible(description) }
}
