import Foundation
import IdemCore
import IdemStore

/// The guarded actions on one store, without printing: what the CLI and the dashboard call.
///
/// Opened `readOnly`, it refuses every action with `StoreError.readOnly` before touching the store. Otherwise the
/// admin writer is opened on the first action and kept. Safe to share between tasks and threads: every store call
/// runs under one lock (a replay's HTTP exchange runs outside it).
///
/// `@unchecked Sendable`: the admin writer is not `Sendable` (one connection or descriptor), and `Locked` cannot
/// hold it because the compiler cannot see that `body` keeps no reference to it; `admin` is opened, read and used
/// only while `lock` is held, so one thread at a time touches it.
public final class TokenActions: @unchecked Sendable {
    public let location: StoreLocation
    /// Opens the admin side of `location`'s kind.
    public let registry: StoreRegistry
    public let readOnly: Bool
    /// `user@host`, recorded on every admin event.
    public let actor: String
    private let policy: Policy
    private let clock: any Clock
    private let lock = Locked(())
    /// The admin writer, opened on the first action. Guarded by `lock`.
    private var admin: (any TokenAdmin)?

    public init(location: StoreLocation, registry: StoreRegistry, readOnly: Bool, policy: Policy = .standard,
                clock: any Clock = SystemClock(), actor: String = ActorIdentity.current()) {
        self.location = location
        self.registry = registry
        self.readOnly = readOnly
        self.policy = policy
        self.clock = clock
        self.actor = actor
    }

    /// Runs `body` with the admin writer (opened on first use) under the lock; `StoreError.readOnly` when the store
    /// was opened read-only, before anything is opened.
    private func withWriter<T>(for action: String, _ body: (any TokenAdmin) throws -> T) throws -> T {
        if readOnly { throw StoreError.readOnly("\(action) needs a writable store; drop --read-only") }
        return try lock.withLock { _ throws(any Error) in
            if let admin { return try body(admin) }
            let opened = try registry.admin(location, policy: policy, clock: clock)
            admin = opened
            return try body(opened)
        }
    }

    /// Opens the store for writing now, so that a store we cannot write (a write-protected file, a journal in a
    /// read-only folder) is one line before anything is shown, asked or sent, not after.
    public func openForWriting(_ action: String) throws {
        try withWriter(for: action) { _ in }
    }

    /// Purges `key` if the store still holds what `expect` says (compare-and-set); `.refused` changes nothing.
    public func purge(_ key: TokenKey, expect: PurgeExpectation, reason: String) throws -> PurgeOutcome {
        try withWriter(for: "purge") { try $0.purge(key, expect: expect, actor: actor, reason: reason) }
    }

    /// Purges each target on its own compare-and-set; the outcomes come back in the targets' order.
    ///
    /// Batches of `batchSize` go under one store lock or transaction, with a short pause between batches, so a live
    /// service waiting for the store's write lock gets it between them.
    ///
    /// - Parameter shouldStop: asked before each batch; when it answers true the purge stops there and returns the
    ///   outcomes so far (fewer than `targets`).
    public func purge(_ targets: [PurgeTarget], reason: String, batchSize: Int = 200,
                      shouldStop: () -> Bool = { false }) throws -> [PurgeOutcome] {
        if readOnly { throw StoreError.readOnly("purge needs a writable store; drop --read-only") }
        var outcomes: [PurgeOutcome] = []
        var start = 0
        while start < targets.count, !shouldStop() {
            if start > 0 { usleep(2000) }
            let batch = Array(targets[start..<min(targets.count, start + max(1, batchSize))])
            outcomes += try withWriter(for: "purge") { w in
                guard let batching = w as? any BatchPurging else {
                    return try batch.map { try w.purge($0.key, expect: $0.expect, actor: actor, reason: reason) }
                }
                return try batching.purge(batch: batch,
                                          actor: actor, reason: reason)
            }
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
        let plan = try prepare(key, request: request, options: options)
        let answer = try await ReplayClient.send(plan, timeout: options.timeout)
        return finish(plan: plan, answer: answer, stored: stored, options: options)
    }

    /// `replay` for synchronous callers (the CLI): blocks the calling thread.
    public func replayBlocking(_ key: TokenKey, request: StoredRequest?, stored: StoredResponse?,
                               options: ReplayOptions) throws -> ReplayResult {
        let plan = try prepare(key, request: request, options: options)
        let answer = try ReplayClient.sendBlocking(plan, timeout: options.timeout)
        return finish(plan: plan, answer: answer, stored: stored, options: options)
    }

    /// The plan, after making sure the replay can be recorded (the store opens for writing) before anything is sent.
    private func prepare(_ key: TokenKey, request: StoredRequest?, options: ReplayOptions) throws -> ReplayPlan {
        let plan = try plan(key, request: request, options: options)
        try withWriter(for: "replay") { _ in }
        return plan
    }

    private func finish(plan: ReplayPlan, answer: ReplayAnswer, stored: StoredResponse?,
                        options: ReplayOptions) -> ReplayResult {
        var reason = options.reason
        if let replayed = answer.header("Idempotent-Replayed") { reason += " (Idempotent-Replayed: \(replayed))" }
        let event = StoreEvent(kind: .replay, at: clock.now(), tenant: plan.key.tenant, token: plan.key.token,
                               actor: actor, reason: reason, target: options.target, resultStatus: answer.status)
        do {
            try withWriter(for: "replay") { try $0.recordReplay(event) }
            return ReplayResult(plan: plan, answer: answer, stored: stored, mask: options.mask, event: event,
                                recordError: nil)
        } catch {
            return ReplayResult(plan: plan, answer: answer, stored: stored, mask: options.mask, event: nil,
                                recordError: "\(error)")
        }
    }
}
