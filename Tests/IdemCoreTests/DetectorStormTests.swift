import Foundation
import Testing
@testable import IdemCore

@Suite struct DetectorStormTests {
    static let token = "deadbeef-0000-4000-8000-1234567890ab"

    /// An execution, then `retries` replays spread evenly so that the last is `span` ms after the execution.
    func storm(retries: Int, span: Int64) -> [Finding] {
        var events = [Fx.request(.executed, token: Self.token, at: 0), Fx.completed(token: Self.token, at: 1)]
        for i in 1...retries {
            let at = i == retries ? span : Int64(i) * span / Int64(retries)
            events.append(Fx.request(.replayed, token: Self.token, at: at))
        }
        return Fx.of(.retryStorm, Fx.findings(events))
    }

    @Test func elevenHitsWithinAMinuteIsAStorm() throws {
        let f = try #require(storm(retries: 10, span: 30_000).first)
        #expect(f.severity == .medium)
        #expect(f.tokens == [Self.token])
        #expect(f.count == 11)
        #expect(f.firstSeen == Fx.t0)
        #expect(f.lastSeen == Fx.t0 + .seconds(30))
        #expect(f.evidence.contains("11 requests within 1m"))
    }

    @Test func tenHitsIsNotAStorm() {
        #expect(storm(retries: 9, span: 1000).isEmpty)
    }

    @Test(arguments: [(Int64(60_000 - 1), true), (Int64(60_000), true), (Int64(60_001), false)])
    func windowEdgeIsInclusive(span: Int64, found: Bool) {
        #expect(storm(retries: 10, span: span).count == (found ? 1 : 0))
    }

    @Test func fiftyHitsInAMinuteIsHigh() {
        #expect(storm(retries: 49, span: 50_000).first?.severity == .high)
        #expect(storm(retries: 48, span: 50_000).first?.severity == .medium)
    }

    @Test func aLongStormIsOneFindingPerToken() throws {
        // 5 minutes of one retry per second.
        let f = try #require(storm(retries: 300, span: 300_000).first)
        #expect(storm(retries: 300, span: 300_000).count == 1)
        #expect(f.firstSeen == Fx.t0)
        #expect(f.lastSeen == Fx.t0 + .minutes(5))
        #expect(f.count == 51)
        #expect(f.severity == .high)
        #expect(f.evidence.contains("at least 51 requests"))
    }

    @Test func everyOutcomeCountsAsAHit() {
        var events = [Fx.request(.executed, token: Self.token, at: 0)]
        for i in 1...10 { events.append(Fx.request(.conflict, token: Self.token, at: Int64(i) * 100)) }
        #expect(Fx.of(.retryStorm, Fx.findings(events)).count == 1)
    }

    @Test func stateStaysBoundedOnALongStream() throws {
        var d = FindingsDetector()
        let policy = Policy(retention: .minutes(10))
        // 50,000 tokens, one every second, each replayed once: with 10-minute retention about 600 are live.
        for i in 0..<50_000 {
            let at = Int64(i) * 1000
            d.observe(Fx.request(.executed, token: "tok-\(i)", at: at, fingerprint: Fx.fp("\(i)"), policy: policy))
            d.observe(Fx.request(.replayed, token: "tok-\(i)", at: at + 10))
        }
        let activity = try #require(d.detector(TokenActivityTracker.self))
        #expect(activity.table.count < 10_000)
        #expect(activity.storms.isEmpty)
    }
}
