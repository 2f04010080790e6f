import Foundation
import IdemCore
import IdemStore

/// An in-memory store that is both a writer and a reader: for tests of the UI, the simulator and the detectors.
///
/// It keeps every event (bodies included) and applies the same `Decision` rules as the real stores.
public final class MemoryStore: TokenWriter, EventReader, @unchecked Sendable {
    private let lock = NSLock()
    private var events: [StoreEvent] = []
    private var ledger: Ledger
    private var readPosition = 0
    private var notices: [String] = []
    private let clock: any Clock
    public let location: StoreLocation

    public init(policy: Policy = .standard, clock: any Clock, name: String = "memory.jsonl") {
        self.ledger = Ledger(policy: policy)
        self.clock = clock
        self.location = JournalDriver.location(name)
    }

    /// Every event written so far.
    public var allEvents: [StoreEvent] { lock.withLock { events } }

    /// Appends an event as it is (admin events, or a prepared history), numbering it.
    public func append(_ event: StoreEvent) {
        lock.withLock { appendLocked(event) }
    }

    /// Adds a notice the next `drainNotices` returns (to test how the UI shows them).
    public func addNotice(_ text: String) { lock.withLock { notices.append(text) } }

    private func appendLocked(_ event: StoreEvent) {
        var e = event
        e.seq = Int64(events.count + 1)
        e.ref = e.seq
        events.append(e)
        ledger.apply(e)
    }

    // MARK: TokenWriter

    public func begin(tenant: String, token: String, operation: String, fingerprint: Fingerprint,
                      request: StoredRequest?) throws -> BeginResult {
        lock.withLock {
            let now = clock.now()
            let key = TokenKey(tenant: tenant, token: token)
            let existing = ledger.record(key)
            let outcome = Decision.outcome(
                existing: existing, operation: operation, existingOperation: existing.map { ledger.operation(of: $0) },
                fingerprint: fingerprint, at: now)
            appendLocked(Decision.event(
                for: outcome, tenant: tenant, token: token, operation: operation, fingerprint: fingerprint,
                request: request, existing: existing, policy: ledger.policy, at: now))
            let stored = outcome == .replayed
                ? existing.flatMap { r in r.responseRef > 0 ? events[Int(r.responseRef) - 1].response : nil } : nil
            return BeginResult(outcome, key: key, existing: existing,
                               existingOperation: existing.map { ledger.operation(of: $0) }, storedResponse: stored)
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
        try lock.withLock {
            guard let r = ledger.record(ticket.key), r.executions == ticket.execution, r.stored == .inProgress else {
                throw StoreError.superseded(ticket.key)
            }
            appendLocked(event)
        }
    }

    // MARK: EventReader

    public func poll(limit: Int, _ sink: (StoreEvent) -> Void, malformed: (MalformedEntry) -> Void) throws -> Int {
        let batch: ArraySlice<StoreEvent> = lock.withLock {
            let end = min(events.count, readPosition + limit)
            defer { readPosition = end }
            return events[readPosition..<end]
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
        lock.withLock { LoadProgress(done: Int64(readPosition), total: Int64(events.count), unit: "events") }
    }

    public func detail(for key: TokenKey) throws -> TokenDetail {
        lock.withLock {
            let timeline = events.filter { $0.tenant == key.tenant && $0.token == key.token }
            let request = timeline.last { $0.request != nil }?.request
            let response = timeline.last { $0.response != nil }?.response
            let error = timeline.last { $0.kind == .failed }?.error
            return TokenDetail(key: key, request: request, response: response, error: error, timeline: timeline)
        }
    }

    public func drainNotices() -> [String] {
        lock.withLock {
            defer { notices.removeAll() }
            return notices
        }
    }
}
