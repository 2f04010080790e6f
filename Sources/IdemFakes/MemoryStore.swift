import Foundation
import IdemCore
import IdemStore

/// An in-memory store that is both a writer and a reader: for tests of the UI, the simulator and the detectors.
///
/// It keeps every event (bodies included) and applies the same `Decision` rules as the real stores.
public final class MemoryStore: TokenWriter, EventReader, Sendable {
    /// Everything the store holds, behind one lock.
    private struct State {
        var events: [StoreEvent] = []
        var ledger: Ledger
        var readPosition = 0
        var notices: [String] = []

        /// Appends `event`, numbering it.
        mutating func append(_ event: StoreEvent) {
            var e = event
            e.seq = Int64(events.count + 1)
            e.ref = e.seq
            events.append(e)
            ledger.apply(e)
        }
    }

    private let state: Locked<State>
    private let clock: any Clock
    public let location: StoreLocation

    public init(policy: Policy = .standard, clock: any Clock, name: String = "memory.jsonl") {
        self.state = Locked(State(ledger: Ledger(policy: policy)))
        self.clock = clock
        self.location = JournalDriver.location(name)
    }

    /// Every event written so far.
    public var allEvents: [StoreEvent] { state.withLock { $0.events } }

    /// Appends an event as it is (admin events, or a prepared history), numbering it.
    public func append(_ event: StoreEvent) {
        state.withLock { $0.append(event) }
    }

    /// Adds a notice the next `drainNotices` returns (to test how the UI shows them).
    public func addNotice(_ text: String) { state.withLock { $0.notices.append(text) } }

    // MARK: TokenWriter

    public func begin(tenant: String, token: String, operation: String, fingerprint: Fingerprint,
                      request: StoredRequest?) throws -> BeginResult {
        let now = clock.now()
        return state.withLock { s in
            let key = TokenKey(tenant: tenant, token: token)
            let existing = s.ledger.record(key)
            let existingOperation = existing.map { s.ledger.operation(of: $0) }
            let outcome = Decision.outcome(
                existing: existing, operation: operation, existingOperation: existingOperation,
                fingerprint: fingerprint, at: now)
            s.append(Decision.event(
                for: outcome, tenant: tenant, token: token, operation: operation, fingerprint: fingerprint,
                request: request, existing: existing, policy: s.ledger.policy, at: now))
            let stored = outcome == .replayed
                ? existing.flatMap { r in r.responseRef > 0 ? s.events[Int(r.responseRef) - 1].response : nil } : nil
            return BeginResult(outcome, key: key, existing: existing,
                               existingOperation: existingOperation, storedResponse: stored)
        }
    }

    public func complete(_ ticket: Ticket, response: StoredResponse) throws {
        try finish(ticket, StoreEvent(kind: .completed, at: clock.now(), tenant: ticket.key.tenant,
                                      token: ticket.key.token, responseStatus: response.status, response: response))
    }

    public func fail(_ ticket: Ticket, error: String) throws {
        try finish(ticket, StoreEvent(kind: .failed, at: clock.now(), tenant: ticket.key.tenant,
                                      token: ticket.key.token, error: error))
    }

    private func finish(_ ticket: Ticket, _ event: StoreEvent) throws {
        try state.withLock { s throws(StoreError) in
            guard let r = s.ledger.record(ticket.key), r.executions == ticket.execution, r.stored == .inProgress else {
                throw StoreError.superseded(ticket.key)
            }
            s.append(event)
        }
    }

    // MARK: EventReader

    public func poll(limit: Int, _ sink: (StoreEvent) -> Void, malformed: (MalformedEntry) -> Void) throws -> Int {
        let batch: ArraySlice<StoreEvent> = state.withLock { s in
            let end = min(s.events.count, s.readPosition + limit)
            defer { s.readPosition = end }
            return s.events[s.readPosition..<end]
        }
        for e in batch {
            var lean = e
            lean.request = nil
            lean.response = nil
            sink(lean)
        }
        return batch.count
    }

    public var progress: LoadProgress {
        state.withLock { LoadProgress(done: Int64($0.readPosition), total: Int64($0.events.count), unit: "events") }
    }

    public func detail(for key: TokenKey) throws -> TokenDetail {
        state.withLock { s in
            let timeline = s.events.filter { $0.tenant == key.tenant && $0.token == key.token }
            let request = timeline.last { $0.request != nil }?.request
            let response = timeline.last { $0.response != nil }?.response
            let error = timeline.last { $0.kind == .failed }?.error
            return TokenDetail(key: key, request: request, response: response, error: error, timeline: timeline)
        }
    }

    public func drainNotices() -> [String] {
        state.withLock { s in
            defer { s.notices.removeAll() }
            return s.notices
        }
    }
}
