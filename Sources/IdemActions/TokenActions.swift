import Foundation
import IdemCore
import IdemStore

/// The guarded actions on one store, without printing: what the CLI and the dashboard call.
///
/// Opened `readOnly`, it refuses every action with `StoreError.readOnly` before touching the store. Otherwise the
/// admin writer is opened on the first action and kept. Not thread-safe: call it from one task at a time.
public final class TokenActions {
    public let location: StoreLocation
    public let readOnly: Bool
    /// `user@host`, recorded on every admin event.
    public let actor: String
    private let policy: Policy
    private let clock: any Clock
    private var admin: (any TokenWriter & TokenAdmin)?

    public init(location: StoreLocation, readOnly: Bool, policy: Policy = .standard, clock: any Clock = SystemClock(),
                actor: String = ActorIdentity.current()) {
        self.location = location
        self.readOnly = readOnly
        self.policy = policy
        self.clock = clock
        self.actor = actor
    }

    /// The admin writer, opened on first use; `StoreError.readOnly` when the store was opened read-only.
    private func writer(for action: String) throws -> any TokenWriter & TokenAdmin {
        if readOnly { throw StoreError.readOnly("\(action) needs a writable store; drop --read-only") }
        if let admin { return admin }
        let opened = try Stores.admin(location, policy: policy, clock: clock)
        admin = opened
        return opened
    }

    /// Purges `key` if the store still holds what `expect` says (compare-and-set); `.refused` changes nothing.
    public func purge(_ key: TokenKey, expect: PurgeExpectation, reason: String) throws -> PurgeOutcome {
        try writer(for: "purge").purge(key, expect: expect, actor: actor, reason: reason)
    }

    /// Purges each target on its own compare-and-set; the outcomes come back in the targets' order.
    ///
    /// Batches of `batchSize` go under one lock or transaction, with a short pause between batches, so a live
    /// service waiting for the store's write lock gets it between them.
    public func purge(_ targets: [PurgeTarget], reason: String, batchSize: Int = 200) throws -> [PurgeOutcome] {
        let w = try writer(for: "purge")
        guard let batching = w as? any BatchPurging else {
            return try targets.map { try w.purge($0.key, expect: $0.expect, actor: actor, reason: reason) }
        }
        var outcomes: [PurgeOutcome] = []
        var start = 0
        while start < targets.count {
            if start > 0 { usleep(2000) }
            let batch = targets[start..<min(targets.count, start + max(1, batchSize))]
            outcomes += try batching.purge(batch: batch.map { PurgeRequest(key: $0.key, expect: $0.expect) },
                                           actor: actor, reason: reason)
            start += batch.count
        }
        return outcomes
    }

    /// The request a replay of `request` would send (what `--dry-run` prints); sends nothing, writes nothing.
    public func plan(_ key: TokenKey, request: StoredRequest?, options: ReplayOptions) throws -> ReplayPlan {
        guard let request else { throw ActionError.noRequest(key) }
        return try ReplayPlan(key: key, request: request, options: options)
    }

    /// Sends the stored request of `key` to `options.target`, compares the answer with `stored`, and records an
    /// admin `replay` event with the answer's status.
    ///
    /// Throws before sending for a read-only store, a token without a request, or a bad target; throws an
    /// `ActionError` for a transport failure (nothing recorded then). A failure to record comes back in
    /// `recordError`, since the request was sent.
    public func replay(_ key: TokenKey, request: StoredRequest?, stored: StoredResponse?,
                       options: ReplayOptions) async throws -> ReplayResult {
        let (plan, w) = try prepare(key, request: request, options: options)
        let answer = try await ReplayClient.send(plan, timeout: options.timeout)
        return finish(plan: plan, answer: answer, stored: stored, options: options, writer: w)
    }

    /// `replay` for synchronous callers (the CLI): blocks the calling thread.
    public func replayBlocking(_ key: TokenKey, request: StoredRequest?, stored: StoredResponse?,
                               options: ReplayOptions) throws -> ReplayResult {
        let (plan, w) = try prepare(key, request: request, options: options)
        let answer = try ReplayClient.sendBlocking(plan, timeout: options.timeout)
        return finish(plan: plan, answer: answer, stored: stored, options: options, writer: w)
    }

    private func prepare(_ key: TokenKey, request: StoredRequest?,
                         options: ReplayOptions) throws -> (ReplayPlan, any TokenWriter & TokenAdmin) {
        let plan = try plan(key, request: request, options: options)
        return (plan, try writer(for: "replay"))
    }

    private func finish(plan: ReplayPlan, answer: ReplayAnswer, stored: StoredResponse?, options: ReplayOptions,
                        writer: any TokenWriter & TokenAdmin) -> ReplayResult {
        var reason = options.reason
        if let replayed = answer.header("Idempotent-Replayed") { reason += " (Idempotent-Replayed: \(replayed))" }
        let event = StoreEvent(kind: .replay, at: clock.now(), tenant: plan.key.tenant, token: plan.key.token,
                               actor: actor, reason: reason, target: options.target, resultStatus: answer.status)
        do {
            try writer.recordReplay(event)
            return ReplayResult(plan: plan, answer: answer, stored: stored, mask: options.mask, event: event,
                                recordError: nil)
        } catch {
            return ReplayResult(plan: plan, answer: answer, stored: stored, mask: options.mask, event: nil,
                                recordError: "\(error)")
        }
    }
}
