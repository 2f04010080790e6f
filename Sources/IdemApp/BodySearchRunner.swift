import Foundation
import IdemCore
import IdemStore
import IdemUI

/// Runs `body:` searches for the loop, one at a time on a thread of its own: a new search (or a cancel) stops the
/// one before between two reads, so a changed term never waits for an old scan of a big journal.
final class BodySearchRunner: Sendable {
    private let locations: [StoreLocation]
    private let inbox: Inbox
    /// The number of the search that may run; a search whose number is older stops.
    private let generation = Locked(0)

    init(locations: [StoreLocation], inbox: Inbox) {
        self.locations = locations
        self.inbox = inbox
    }

    /// Stops the running search, if any.
    func cancel() { generation.withLock { $0 += 1 } }

    /// Stops the running search and searches every store for each needle in turn.
    func start(_ needles: [String]) {
        let mine = generation.withLock { g -> Int in g += 1; return g }
        let thread = Thread { [self] in
            for needle in needles {
                guard current(mine) else { return }
                // A stopped search answers nothing: the filter that wanted it is gone.
                if let answer = search(needle, generation: mine) { inbox.post(.message(answer)) }
            }
        }
        thread.name = "idemtop-body-search"
        thread.start()
    }

    private func current(_ g: Int) -> Bool { generation.withLock { $0 == g } }

    /// One needle over every store; the progress is summed over them (bytes and rows alike: a rough line).
    private func search(_ needle: String, generation mine: Int) -> Message? {
        var found: Set<TokenKey> = []
        var lastPost: UInt64 = 0
        for (n, location) in locations.enumerated() {
            switch BodySearch.searcher(for: location) {
            case .failure(let e):
                return .bodySearchFailed(needle: needle, reason: "\(e)")
            case .success(let searcher):
                do {
                    let keys = try searcher.search(needle) { done, total in
                        let now = Monotonic.nanos
                        if now &- lastPost > 100_000_000 {
                            lastPost = now
                            inbox.post(.message(.bodySearchProgress(needle: needle, done: done, total: total)))
                        }
                        return current(mine)
                    }
                    for k in keys { found.insert(TokenKey(tenant: k.tenant, token: k.token, store: UInt8(n))) }
                } catch is BodySearchCancelled {
                    return nil
                } catch {
                    return .bodySearchFailed(needle: needle, reason: "body: \(location.displayName): \(error)")
                }
            }
        }
        return .bodySearchFinished(needle: needle, keys: found)
    }
}
