import Foundation
import IdemActions
import IdemCore
import IdemStore
import IdemUI

/// The dashboard's actions as they run on a worker thread: each does its work with `TokenActions` (which is
/// thread-safe) and turns the outcome into the message the update is answered with.
enum ActionEffects {
    /// A purge on the compare-and-set the dialog showed; refused or failed purges change nothing.
    static func purge(_ order: PurgeOrder, actions: TokenActions) -> Message {
        let expect = order.target.expect
        let name = Sanitizer.visible(order.key.description)
        do {
            switch try actions.purge(order.key.inOwnStore, expect: expect, reason: order.reason) {
            case .purged:
                return .purgeFinished(order.key, refused: false,
                                      text: "\(order.target.wording.done) \(name) (saw \(order.status.rawValue), version \(order.version)) by \(actions.actor)")
            case .refused(let why):
                return .purgeFinished(order.key, refused: true, text: "refused: \(why)")
            }
        } catch {
            return .purgeFinished(order.key, refused: true, text: "\(error)")
        }
    }

    /// Purges `orders` (blocking the calling thread, a worker's), each with its own store's actions (`actions` by
    /// store number), and says how it went in one line.
    static func purgeMany(_ orders: [PurgeOrder], actions: [TokenActions], shouldStop: () -> Bool) -> Message {
        let reason = orders.first?.reason ?? "bulk purge from the dashboard"
        var purged = 0, refused = 0, done = 0
        // How many of each wording went through (a store may release some tokens' locks instead of deleting).
        var didByWording: [String: Int] = [:]
        do {
            for (store, group) in Dictionary(grouping: orders, by: \.key.store).sorted(by: { $0.key < $1.key }) {
                let targets = group.map { o in
                    var t = o.target
                    t.key = t.key.inOwnStore
                    return t
                }
                let outcomes = try actions[Int(store)].purge(targets, reason: reason, shouldStop: shouldStop)
                var ok = 0
                for (t, outcome) in zip(targets, outcomes) {
                    guard case .purged = outcome else { continue }
                    ok += 1
                    didByWording[t.wording.done, default: 0] += 1
                }
                purged += ok
                refused += outcomes.count - ok
                done += outcomes.count
                if outcomes.count < targets.count { break }
            }
        } catch {
            // A read-only or unwritable store refuses before the first batch; a failure later leaves the purges
            // written so far in place (the table shows them as it reads them back).
            return .purgeManyFinished(text: "bulk purge: \(error)", failed: true)
        }
        // "purged 3 of 4 tokens", or "released the lock of 1 and purged 2 of 4 tokens".
        let did = didByWording.count > 1 || didByWording.keys.first.map({ $0 != "purged" }) == true
            ? didByWording.sorted { $0.key > $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: " and ")
            : "purged \(purged)"
        var text = "\(did) of \(orders.count) tokens by \(actions.first?.actor ?? "?")"
        if refused > 0 { text += "; \(refused) refused: they changed since you looked and were left as they are" }
        if done < orders.count { text += "; stopped before the last \(orders.count - done)" }
        return .purgeManyFinished(text: text, failed: refused > 0)
    }

    /// What a dashboard replay sends with: the one set of options both the confirmation's plan and the send use.
    static func replayOptions(target: String) -> ReplayOptions {
        ReplayOptions(target: target, reason: "replayed from the dashboard")
    }

    /// The plan of a replay for the confirmation, read on the feed's thread with the reader: `.replayPrepared`, or
    /// `.replayFinished(failed: true)` when nothing could be sent (no target, no stored request, a bad target).
    static func prepareReplay(_ key: TokenKey, reader: any EventReader, target: String?) -> Message {
        guard let target else {
            return .replayFinished(key, lines: ["no replay target: start the dashboard with --target BASE_URL"],
                                   failed: true)
        }
        do {
            guard let request = try reader.detail(for: key.inOwnStore).request else {
                return .replayFinished(key, lines: [ActionError.noRequest(key).description], failed: true)
            }
            let options = replayOptions(target: target)
            let plan = try ReplayPlan(key: key.inOwnStore, request: request, options: options)
            return .replayPrepared(ReplayPreview(key: key, method: plan.method, url: plan.url.absoluteString,
                                                 idempotencyHeader: options.idempotencyHeader,
                                                 notSent: plan.missingSecrets))
        } catch {
            return .replayFinished(key, lines: ["\(error)"], failed: true)
        }
    }

    /// Sends the request and compares the answer; blocks the calling thread (a worker's) up to the timeout (10 s).
    static func replay(_ key: TokenKey, request: StoredRequest?, stored: StoredResponse?, target: String,
                       actions: TokenActions) -> Message {
        do {
            let result = try actions.replayBlocking(key.inOwnStore, request: request, stored: stored,
                                                    options: replayOptions(target: target))
            var lines = result.reportLines
            if !result.plan.missingSecrets.isEmpty {
                lines.append("not sent (secret): " + result.plan.missingSecrets.joined(separator: ", "))
            }
            if let why = result.recordError { lines.append("the admin event could not be recorded: \(why)") }
            return .replayFinished(key, lines: lines, failed: false)
        } catch {
            return .replayFinished(key, lines: ["\(error)"], failed: true)
        }
    }
}
