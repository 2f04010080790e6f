import Foundation
import IdemCore
import IdemFakes
import IdemStore
import Testing

@Suite struct ReadAheadTests {
    @Test func everyEventArrivesOnceInOrderAcrossBatches() throws {
        let clock = ManualClock(Instant(ms: 1_800_000_000_000))
        let store = MemoryStore(clock: clock)
        for i in 0..<10_000 {
            store.append(StoreEvent(kind: .request, at: clock.now() + TimeSpan(ms: Int64(i)), tenant: "t",
                                    token: "k\(i % 700)", operation: "op", fingerprint: Fingerprint("f"),
                                    outcome: i < 700 ? .executed : .replayed))
        }
        var seen: [Int64] = []
        var batches = 0
        try ReadAhead.drain(store, batch: 333, depth: 2) { events, malformed in
            batches += 1
            #expect(malformed.isEmpty)
            seen += events.map(\.seq)
        }
        #expect(seen == Array(1...10_000))
        #expect(batches == 31)
    }

    @Test func aReaderErrorReachesTheCaller() throws {
        final class Failing: EventReader {
            let location = StoreLocation(kind: JournalDriver.kind, path: "x.jsonl")
            var calls = 0
            func poll(limit: Int, _ sink: (StoreEvent) -> Void, malformed: (MalformedEntry) -> Void) throws -> Int {
                calls += 1
                if calls == 3 { throw StoreError.io(path: "x.jsonl", why: "disk on fire") }
                sink(StoreEvent(kind: .failed, at: Instant(ms: 0), tenant: "t", token: "k", error: "e"))
                return 1
            }
            var progress: LoadProgress { LoadProgress() }
            func detail(for key: TokenKey) throws -> TokenDetail { throw StoreError.unknownToken(key) }
            func drainNotices() -> [String] { [] }
        }
        var got = 0
        #expect(throws: StoreError.io(path: "x.jsonl", why: "disk on fire")) {
            try ReadAhead.drain(Failing()) { events, _ in got += events.count }
        }
        #expect(got == 2)
    }
}

@Suite struct ReadAheadMalformedTests {
    /// A reader whose last poll reports malformed entries but no events (as DynamoDB's does).
    final class BadTail: EventReader {
        let location = StoreLocation(kind: JournalDriver.kind, path: "x.jsonl")
        var calls = 0
        func poll(limit: Int, _ sink: (StoreEvent) -> Void, malformed: (MalformedEntry) -> Void) throws -> Int {
            calls += 1
            if calls == 1 { sink(StoreEvent(kind: .failed, at: Instant(ms: 0), tenant: "t", token: "k")); return 1 }
            if calls == 2 { malformed(MalformedEntry(position: 2, reason: "not a record")) }
            return 0
        }
        var progress: LoadProgress { LoadProgress() }
        func detail(for key: TokenKey) throws -> TokenDetail { throw StoreError.unknownToken(key) }
        func drainNotices() -> [String] { [] }
    }

    @Test func malformedEntriesOfTheLastPollAreNotLost() throws {
        var events = 0
        var bad: [MalformedEntry] = []
        try ReadAhead.drain(BadTail()) { e, m in
            events += e.count
            bad += m
        }
        #expect(events == 1)
        #expect(bad == [MalformedEntry(position: 2, reason: "not a record")])
    }
}
