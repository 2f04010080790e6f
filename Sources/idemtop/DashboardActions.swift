import Foundation
import IdemActions
import IdemCore
import IdemStore
import IdemUI

/// Performs the dashboard's action effects with `TokenActions` and turns each outcome into the message it answers.
enum DashboardActions {
    /// A purge on the compare-and-set the dialog showed; refused or failed purges change nothing.
    static func purge(_ order: PurgeOrder, actions: TokenActions) -> Message {
        let expect = PurgeExpectation(status: order.status, version: order.version, storedStatus: order.stored,
                                      expiresAt: order.expiresAt)
        let name = Sanitizer.visible(order.key.description)
        do {
            switch try actions.purge(order.key, expect: expect, reason: order.reason) {
            case .purged:
                return .purgeFinished(order.key, refused: false,
                                      text: "purged \(name) (saw \(order.status.rawValue), version \(order.version)) by \(actions.actor)")
            case .refused(let why):
                return .purgeFinished(order.key, refused: true, text: "refused: \(why)")
            }
        } catch {
            return .purgeFinished(order.key, refused: true, text: "\(error)")
        }
    }

    /// Starts a replay to the `--target` base URL on a worker thread and returns at once.
    ///
    /// The token's request and stored response are read here, on the loop's thread (the reader is not thread-safe);
    /// the worker only does the HTTP exchange and records the admin event (`TokenActions` is thread-safe), then posts
    /// `.replayFinished` to `inbox`. Returns `.replayStarted`, or `.replayFinished` when nothing could be sent.
    static func startReplay(_ key: TokenKey, reader: any EventReader, target: String?, actions: TokenActions,
                            inbox: ReplayInbox, clock: any Clock) -> Message {
        guard let target else {
            return .replayFinished(key, lines: ["no replay target: start the dashboard with --target BASE_URL"],
                                   failed: true)
        }
        let request: StoredRequest?
        let stored: StoredResponse?
        do {
            let detail = try reader.detail(for: key)
            request = detail.request
            stored = detail.response
        } catch {
            return .replayFinished(key, lines: ["\(error)"], failed: true)
        }
        inbox.begin()
        let worker = Thread {
            inbox.post(replay(key, request: request, stored: stored, target: target, actions: actions))
        }
        worker.name = "idemtop-replay"
        worker.start()
        return .replayStarted(key, target: target, at: clock.now())
    }

    /// Sends the request and compares the answer; blocks the calling thread (a worker's) up to the timeout (10 s).
    static func replay(_ key: TokenKey, request: StoredRequest?, stored: StoredResponse?, target: String,
                       actions: TokenActions) -> Message {
        do {
            let result = try actions.replayBlocking(key, request: request, stored: stored,
                                                    options: ReplayOptions(target: target, reason: "replayed from the dashboard"))
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
