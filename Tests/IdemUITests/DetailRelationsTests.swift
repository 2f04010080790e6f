import IdemCore
import IdemUI
import Testing

/// The detail view tells the token's story: the findings it is part of, its sibling tokens with a key to each, the
/// expiry before a `reexecuted`, and the timeline in milliseconds with the date once per day.
@Suite struct DetailRelationsTests: DrivesState {
    let dark = BuiltinThemes.standard

    /// The fixture's state with the detail of `token` open and loaded from the fixture's events.
    static func detail(_ tenant: String, _ token: String, width: Int = 80, height: Int = 24) -> AppState {
        var s = FindingsFixture.state(width: width, height: height)
        s.refreshFindings(force: true)
        let key = TokenKey(tenant: tenant, token: token)
        _ = s.setFilter("token:" + token)
        _ = s.update(.reindex)
        #expect(s.update(.key(.enter)) == [.loadDetail(key)])
        _ = s.update(.detailLoaded(FindingsNarrowTests.content(key)))
        return s
    }

    static func text(_ s: AppState) -> [String] { (s.detail?.lines ?? []).map { $0.map(\.text).joined() } }

    @Test func aDoubleChargedTokenListsItsFindingAndItsSibling() {
        var s = Self.detail("acme", FindingsFixture.doubleA)
        let lines = Self.text(s)
        #expect(lines.contains("── Findings (1) "))
        #expect(lines.contains { $0.hasPrefix("critical double_charge_suspect  first 2026-11-29 05:58:30Z") })
        #expect(lines.contains { $0.contains("executed 2 times under 2 tokens") })
        #expect(lines.contains("── Siblings (1): same tenant, operation and payload within 10m "))
        #expect(lines.contains { $0.hasPrefix("[1] \(FindingsFixture.doubleB)") && $0.hasSuffix("completed") })
        let b = TokenKey(tenant: "acme", token: FindingsFixture.doubleB)
        #expect(s.detail?.siblings == [b])
        // 2 is no sibling; 1 opens the sibling, whose sibling is the first token.
        #expect(press(&s, .char("2")) == [])
        #expect(press(&s, .char("1")) == [.loadDetail(b)])
        #expect(s.mode == .detail && s.detail?.key == b && s.detail?.content == nil)
        _ = s.update(.detailLoaded(FindingsNarrowTests.content(b)))
        #expect(s.detail?.siblings == [TokenKey(tenant: "acme", token: FindingsFixture.doubleA)])
        _ = press(&s, .escape)
        #expect(s.mode == .main)
    }

    @Test func theOpenDetailFollowsTheFindingsAsTheyAreRecomputed() {
        var s = Self.detail("acme", FindingsFixture.doubleA)
        let third = Fixture.request("acme", "third-retry-55aa", "POST /v1/charges", .executed, at: Fixture.at(-30),
                                    fingerprint: FindingsFixture.fpC)
        _ = s.update(.events([third], malformed: []))
        s.refreshFindings(force: true)
        let lines = Self.text(s)
        #expect(lines.contains { $0.contains("executed 3 times under 3 tokens") }, "\(lines)")
        #expect(lines.contains("── Siblings (2): same tenant, operation and payload within 10m "))
    }

    @Test func aTokenWithNoPayloadTwinHasNoSiblings() {
        let s = Self.detail("東京商事", "注文-2026-東京")
        #expect(s.detail?.siblings == [])
        #expect(!Self.text(s).contains { $0.hasPrefix("── Siblings") })
        // The payout and the storm token carry one payload four minutes apart: siblings.
        let p = Self.detail("hooli", "pay-0042")
        #expect(p.detail?.siblings.map(\.token) == ["5f0e2b7d-9c1a-4e83-b6d2-storm"])
    }

    @Test func siblingsAreCutAtTheWindow() {
        var s = AppState(storeName: "x", storeKind: "journal", now: Fixture.now)
        var events: [StoreEvent] = []
        // 0 s, +10 min (within), +10 min 1 ms (out), another operation, another tenant.
        events.append(Fixture.request("t", "a", "POST /v1/charges", .executed, at: Fixture.at(-3600)))
        events.append(Fixture.request("t", "b", "POST /v1/charges", .executed, at: Fixture.at(-3000)))
        var late = Fixture.request("t", "c", "POST /v1/charges", .executed, at: Fixture.at(-3000))
        late.at = Instant(ms: Fixture.at(-3000).ms + 1)
        events.append(late)
        events.append(Fixture.request("t", "d", "POST /v1/refunds", .executed, at: Fixture.at(-3500)))
        events.append(Fixture.request("u", "e", "POST /v1/charges", .executed, at: Fixture.at(-3500)))
        _ = s.update(.events(events, malformed: []))
        let sibs = DetailRelations.siblings(of: TokenKey(tenant: "t", token: "a"), in: s.ledger, window: .minutes(10))
        #expect(sibs.map(\.token) == ["b"])
    }

    @Test func theTimelineMarksTheExpiryBeforeAReexecutionInMilliseconds() {
        let s = Self.detail("café-münchen", "retry-9")
        let lines = Self.text(s)
        let timeline = lines.drop { !$0.hasPrefix("── Timeline") }
        // The date once per day, then HH:MM:SS.mmm.
        #expect(Array(timeline.dropFirst().prefix(3)) == ["── 2026-11-28 ──", "04:00:00.000 executed   POST /v1/charges",
                                                         "04:00:02.000 completed  HTTP 201"])
        #expect(timeline.filter { $0.hasPrefix("── 2026-11-29") }.count == 1)
        let mark = timeline.firstIndex { $0.contains("⟂ expired 04:00:00.000Z, 1h59m before this retry ran the work again") }
        let re = timeline.firstIndex { $0.contains("reexecuted") }
        #expect(mark != nil && re != nil && mark.map { $0 + 1 } == re, "\(Array(timeline))")
    }

    @Test(arguments: [(80, 24), (120, 40)])
    func snapshot(width: Int, height: Int) {
        let s = Self.detail("acme", FindingsFixture.doubleA, width: width, height: height)
        assertSnapshot(Fixture.rendered(s), theme: dark, named: "detail-findings-siblings-\(width)x\(height)")
    }
}
