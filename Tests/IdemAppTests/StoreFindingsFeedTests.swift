import Foundation
import IdemApp
import IdemCore
import IdemFakes
import IdemStore
import IdemUI
import Testing

/// A reader that finds things in its records beyond its events (a `FindingSource`, as the Redis reader is): the
/// feed posts its list whenever its version moves, and the dashboard's findings have it.
@Suite struct StoreFindingsFeedTests {
    /// A memory store's reader that also supplies findings a test sets.
    final class FindingReader: EventReader, FindingSource, @unchecked Sendable {
        private let inner: MemoryStore
        private let list = Locked<(Int, [Finding])>((0, []))
        init(_ inner: MemoryStore) { self.inner = inner }
        var location: StoreLocation { inner.location }
        var progress: LoadProgress { inner.progress }
        func poll(limit: Int, _ sink: (StoreEvent) -> Void, malformed: (MalformedEntry) -> Void) throws -> Int {
            try inner.poll(limit: limit, sink, malformed: malformed)
        }
        func detail(for key: TokenKey) throws -> TokenDetail { try inner.detail(for: key) }
        func drainNotices() -> [String] { inner.drainNotices() }
        var storeFindings: [Finding] { list.withLock { $0.1 } }
        var storeFindingsVersion: Int { list.withLock { $0.0 } }
        func set(_ findings: [Finding]) { list.withLock { $0 = ($0.0 + 1, findings) } }
    }

    @Test func theFeedPostsAReadersFindingsAndTheirReplacement() throws {
        let start = Instant(rfc3339: "2026-11-29T06:00:00Z") ?? Instant(ms: 0)
        let clock = ManualClock(start)
        let store = MemoryStore(clock: clock, name: "cache.redis")
        if case .execute(let ticket, _) = try store.begin(tenant: "payments-fn", token: "5d41402abc4b2a76b9719d911017c592",
                                                          operation: "app.handler",
                                                          fingerprint: Fingerprint(String(repeating: "ab", count: 32)),
                                                          request: nil) {
            try store.complete(ticket, response: StoredResponse(status: 200, body: "{}"))
        }
        let reader = FindingReader(store)
        func found(_ kind: FindingKind, _ severity: Severity) -> Finding {
            Finding(kind: kind, severity: severity, tenant: "payments-fn", tokens: ["5d41402abc4b2a76b9719d911017c592"],
                    firstSeen: start, lastSeen: start, evidence: "key payments-fn.app.handler#5d41...:lock exists")
        }
        reader.set([found(.orphanTakeover, .high)])
        let ui = DashboardDriver(reader: reader, clock: clock, width: 160, height: 30)
        ui.pump()
        // The findings are recomputed at a capped rate of the dashboard's clock (FindingsState.gap): let it move.
        clock.advance(.seconds(5))
        #expect(ui.settle(until: { ui.state.findings.findings.map(\.kind) == [.orphanTakeover] }),
                "\(ui.state.findings.findings)")
        ui.press(.char("F"))
        #expect(ui.settle(until: { ui.screen.contains("orphan_takeover") }), "\(ui.screen)")
        // The reader's next list replaces the last one (recomputed at the findings' capped rate of the clock).
        reader.set([found(.validationHashDropped, .medium)])
        clock.advance(.seconds(5))
        #expect(ui.settle(until: { ui.state.findings.findings.map(\.kind) == [.validationHashDropped] }),
                "\(ui.state.findings.findings)")
    }
}
