import IdemCore
import IdemUI

/// What reaches the run loop from other threads: messages for the pure update, and what only the loop may apply.
enum AppEvent: Sendable {
    /// A message for the update (store events, a loaded detail, an action's answer).
    case message(Message)
    /// A theme a worker loaded: the loop hands it to the terminal and the state.
    case theme(Theme)
    /// A store feed answered a `sync` request: everything its store held when it was asked has been posted.
    case synced(Int)
    /// Where one store's first read is (the loop combines the stores' into the header's).
    case progress(UInt8, LoadStatus)
    /// A detail load the loop asked for has been answered (so a coalesced reload may go out).
    case detailDone(TokenKey)
}

/// The loop's one inbox: threads `post`, the loop `drain`s in order each iteration and is woken by each post.
///
/// Event batches from the store are counted, so the feed can hold back while the loop still has some to apply
/// (a million-event load stays two batches ahead, not the whole store).
final class Inbox: Sendable {
    private struct Queue {
        var events: [AppEvent] = []
        var batches = 0
    }

    private let queue = Locked(Queue())
    /// Wakes the loop's wait for input.
    let waker: Waker
    /// Wakes the feed when the loop has drained batches.
    let drained = Waker()

    init(waker: Waker) { self.waker = waker }

    /// Hands an event to the loop; safe from any thread.
    func post(_ event: AppEvent) {
        queue.withLock { q in
            q.events.append(event)
            switch event {
            case .message(.events), .message(.history): q.batches += 1
            default: break
            }
        }
        waker.wake()
    }

    /// Everything posted since the last drain, in order.
    func drain() -> [AppEvent] {
        let (out, hadBatches) = queue.withLock { q -> ([AppEvent], Bool) in
            let out = q.events
            let had = q.batches > 0
            q.events.removeAll(keepingCapacity: true)
            q.batches = 0
            return (out, had)
        }
        if hadBatches { drained.wake() }
        return out
    }

    /// Store event batches posted and not yet drained.
    var pendingBatches: Int { queue.withLock { $0.batches } }

    var isEmpty: Bool { queue.withLock { $0.events.isEmpty } }
}
