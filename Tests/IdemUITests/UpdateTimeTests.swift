import IdemCore
import IdemFakes
import IdemUI
import Testing

/// The pure update for the time keys and commands: as of an instant, `:at`, `:goto`, `t` / `:columns`, and the
/// `body:` search's effects and answers.
@Suite struct UpdateTimeTests: DrivesState {
    func command(_ s: inout AppState, _ line: String) -> [Effect] {
        var out = press(&s, .char(":"))
        for c in line { out += press(&s, .char(c)) }
        return out + press(&s, .enter)
    }

    func timeState(asOf: Instant? = nil) -> AppState {
        var s = AppState(storeName: "time.jsonl", storeKind: "journal", now: TimeFixture.now)
        s.asOf = asOf
        if let asOf { s.now = asOf }
        _ = s.update(.resize(width: 120, height: 40))
        _ = s.update(.events(TimeFixture.events, malformed: []))
        _ = s.update(.tick(TimeFixture.now))
        s.reindex()
        return s
    }

    @Test func asOfAnInstantLeavesLaterEventsOutAndTheClockStands() {
        let t = TimeFixture.t("2026-11-28T07:14:00.500Z")
        var s = timeState(asOf: t)
        // t-span (07:00), t-before, t-start (07:14:00; its completion at 07:14:01 is later).
        #expect(Set(s.ledger.records.map(\.token)) == ["t-span", "t-before", "t-start"])
        #expect(s.ledger.record(TokenKey(tenant: "umbrella", token: "t-start"))?.status(at: s.now) == .inProgress)
        _ = s.update(.tick(TimeFixture.now + .hours(1)))
        #expect(s.now == t)
        let screen = Fixture.rendered(s).text
        #expect(screen.contains("as of 07:14:00Z"))
        #expect(!screen.contains("● live"))
    }

    @Test func atCommandAsksForARefoldAndTakesIt() {
        var s = timeState()
        #expect(command(&s, "at 07:14") == [.refold(asOf: TimeFixture.t("2026-11-28T07:14:00Z"))])
        #expect(s.notice?.text.contains("reading the store as of 2026-11-28T07:14:00Z") == true)
        #expect(command(&s, "at now") == [.refold(asOf: nil)])
        #expect(command(&s, "at soon") == [])
        #expect(s.notice?.isError == true)
        // The fold the loop answers replaces the ledger whole.
        var fold = AppState(storeName: "time.jsonl", storeKind: "journal", now: TimeFixture.t("2026-11-28T07:14:00Z"))
        fold.asOf = TimeFixture.t("2026-11-28T07:14:00Z")
        _ = fold.update(.events(Array(TimeFixture.events.prefix(3)), malformed: []))
        _ = s.update(.refolded(Refold(state: fold, asOf: fold.asOf, wall: TimeFixture.now)))
        #expect(s.asOf == fold.asOf && s.now == fold.asOf)
        #expect(s.ledger.count == 3)
        s.reindex()
        #expect(s.index.count == 3)
        let live = timeState()
        _ = s.update(.refolded(Refold(state: live, asOf: nil, wall: TimeFixture.now)))
        #expect(s.asOf == nil && s.now == TimeFixture.now && s.ledger.count == 6)
    }

    @Test func gotoMovesTheTableByTimeAndTheTail() {
        var s = timeState()
        _ = s.update(.key(.char("s")))  // sort by something else first: goto sorts by last seen again
        _ = command(&s, "goto 07:14:30")
        #expect(s.sortColumn == .lastSeen)
        #expect(s.selected?.token == "t-start")
        #expect(s.tail.isPaused)
        #expect(s.tail.visible(rows: 1).last?.token == "t-start")
        _ = command(&s, "goto 23:59")
        #expect(s.selected?.token == "t-night")
        #expect(command(&s, "goto") == [] && s.notice?.isError == true)
    }

    @Test func tAndColumnsToggleAbsoluteTimes() {
        var s = timeState()
        #expect(Fixture.rendered(s).text.contains("9h ago"))  // t-morning's LAST SEEN
        _ = press(&s, .char("t"))
        #expect(s.absoluteTimes)
        let screen = Fixture.rendered(s).text
        #expect(screen.contains("00:05:00"))
        #expect(!screen.contains("9h ago"))
        _ = command(&s, "columns rel")
        #expect(!s.absoluteTimes)
        _ = command(&s, "columns abs")
        #expect(s.absoluteTimes)
        _ = command(&s, "columns sideways")
        #expect(s.notice?.isError == true)
    }

    @Test func bodyTermsAskForASearchAndAChangedTermReplacesIt() {
        var s = timeState()
        var effects = press(&s, .char("/"))
        for c in "body:cus" { effects += press(&s, .char(c)) }
        // One search per needle typed; the loop stops the one before.
        #expect(effects.last == .searchBodies(["cus"]))
        #expect(effects.contains(.searchBodies(["c"])))
        s.reindex()
        #expect(s.index.count == 0)  // nothing until the search answers
        #expect(Fixture.rendered(s).text.contains("body: searching \"cus\""))
        _ = s.update(.bodySearchProgress(needle: "cus", done: 50, total: 200))
        #expect(s.bodySearch.statusLine == "body: searching \"cus\" 25%")
        _ = s.update(.bodySearchFinished(needle: "cus", keys: [TokenKey(tenant: "umbrella", token: "t-end")]))
        s.reindex()
        #expect(s.index.count == 1 && s.bodySearch.pending.isEmpty)
        // An answer for a needle no longer asked for is dropped.
        _ = s.update(.bodySearchFinished(needle: "old", keys: [TokenKey(tenant: "umbrella", token: "t-start")]))
        #expect(s.bodySearch.found["old"] == nil)
        // Enter keeps it without searching again; Esc clears the filter and stops.
        #expect(press(&s, .enter) == [])
        #expect(press(&s, .escape) == [.cancelBodySearch] || s.bodySearch.pending.isEmpty)
        #expect(s.bodySearch.found.isEmpty)
        _ = s.update(.bodySearchFailed(needle: "x", reason: "body: is not supported for a dynamodb store"))
        #expect(s.notice?.isError == true)
    }
}
