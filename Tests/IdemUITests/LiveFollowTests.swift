import IdemCore
import IdemUI
import Testing

/// Live following that stays predictable: `▲ N new`, the tail's cursor and filter, `n`/`N`, the histories.
@Suite struct LiveFollowTests: DrivesState {
    let dark = BuiltinThemes.standard

    /// New tokens, each a second after the newest event so far.
    func arrive(_ s: inout AppState, _ tokens: [String], tenant: String = "acme") {
        let base = s.ledger.records.map(\.lastSeen).max() ?? Fixture.now
        let events = tokens.enumerated().map { i, t in
            Fixture.request(tenant, t, "POST /v1/charges", .executed, at: base + .seconds(Int64(i) + 1))
        }
        _ = s.update(.events(events, malformed: []))
        _ = s.update(.reindex)
    }

    func typed(_ s: inout AppState, _ text: String) { for ch in text { _ = s.update(.key(.char(ch))) } }

    @Test func theTableFollowsAtTheTopAndCountsNewRowsOnceMoved() {
        var s = Fixture.state(width: 120, height: 40)
        arrive(&s, ["first"])
        #expect(s.cursor == 0 && s.selectedKey?.token == "first" && s.newAbove == 0)
        _ = press(&s, .char("j"))
        let key = s.selectedKey
        arrive(&s, ["n1", "n2", "n3"])
        #expect(s.selectedKey == key && s.cursor == 4 && s.newAbove == 3)
        let notice = screenLines(Fixture.rendered(s))[s.layout.noticeRow]
        #expect(notice.contains("▲ 3 new (g: top)  row 5 of 12"), "\(notice)")
        _ = press(&s, .char("g"))
        #expect(s.cursor == 0 && s.newAbove == 0)
        arrive(&s, ["n4"])
        #expect(s.cursor == 0 && s.selectedKey?.token == "n4" && s.newAbove == 0)
    }

    @Test func otherSortsCountNothingNew() {
        var s = Fixture.state()
        _ = press(&s, .char(":"))
        typed(&s, "sort tenant")
        _ = press(&s, .enter, .char("j"))
        arrive(&s, ["n1"], tenant: "zz")
        #expect(s.newAbove == 0)
    }

    @Test func theTailHasACursorAndEnterOpensItsToken() {
        var s = Fixture.state()
        _ = press(&s, .tab)
        #expect(s.focus == .tail)
        let events = s.tailEvents(rows: s.layout.tailRows.count)
        #expect(s.tail.cursor == 0)
        #expect(press(&s, .enter) == [.loadDetail(events[events.count - 1].key)])
        _ = press(&s, .escape)
        _ = press(&s, .char("k"), .char("k"))
        #expect(s.tail.isPaused && s.tail.cursor == 2)
        let rows = screenLines(Fixture.rendered(s))
        let y = s.layout.tailRows.lowerBound + events.count - 1 - 2
        #expect(Fixture.rendered(s).roleLine(y).allSatisfy { $0 == Role.selection.code }, "\(rows[y])")
        #expect(press(&s, .enter) == [.loadDetail(events[events.count - 3].key)])
        _ = press(&s, .escape, .char("j"))
        #expect(s.tail.cursor == 1)
        _ = press(&s, .char("G"))
        #expect(!s.tail.isPaused && s.tail.cursor == 0)
    }

    @Test func tailPagesAndTopAndEnd() {
        var s = Fixture.state(width: 80, height: 40)
        _ = press(&s, .tab)
        let rows = s.layout.tailRows.count
        let shown = s.tailEvents(rows: rows).count
        _ = press(&s, .pageUp)
        #expect(s.tail.isPaused && s.tail.cursor == min(shown, rows) - 1)
        _ = press(&s, .pageDown)
        #expect(s.tail.cursor == max(0, min(shown, rows) - 1 - (rows - 1)))
        _ = press(&s, .char("g"))
        #expect(s.tail.isPaused && s.tail.cursor == min(shown, rows) - 1)
        _ = press(&s, .end)
        #expect(!s.tail.isPaused && s.tail.cursor == 0)
    }

    @Test func aClickOnATailLinePutsTheCursorThereAndEnterOpensIt() {
        var s = Fixture.state()
        s.mouseEnabled = true
        let events = s.tailEvents(rows: s.layout.tailRows.count)
        _ = s.update(.mouse(MouseEvent(.click, x: 5, y: s.layout.tailRows.lowerBound + 1)))
        #expect(s.focus == .tail && s.tail.isPaused && s.tail.cursor == events.count - 2)
        #expect(press(&s, .enter) == [.loadDetail(events[1].key)])
    }

    @Test func theTailShowsTheFilterTokensUnlessTailAll() {
        var s = Fixture.state()
        _ = s.setFilter("tenant:globex")
        _ = s.update(.reindex)
        let shown = s.tailEvents(rows: 10)
        #expect(!shown.isEmpty && shown.allSatisfy { $0.tenant == "globex" })
        #expect(screenLines(Fixture.rendered(s))[s.layout.tailTitleRow].contains("the filter's tokens (:tail all)"))
        _ = press(&s, .char(":"))
        typed(&s, "tail all")
        _ = press(&s, .enter)
        #expect(s.tailAll && s.tailEvents(rows: 10).contains { $0.tenant != "globex" })
        _ = press(&s, .char(":"))
        typed(&s, "tail nope")
        _ = press(&s, .enter)
        #expect(s.notice?.text == "usage: :tail all|filter (now: all)")
    }

    @Test func nAndShiftNMoveToTheRowsHoldingTheFreeText() {
        var s = Fixture.state()
        #expect(press(&s, .char("n")) == [] && s.notice?.isError == true)
        _ = press(&s, .char("/"))
        typed(&s, "charges")
        _ = press(&s, .enter, .escape)
        _ = s.update(.reindex)
        #expect(s.filter.isEmpty)
        let matches = s.index.rows.indices.filter { s.ledger.operation(of: s.ledger.records[Int(s.index[$0])]).contains("charges") }
        #expect(matches.count >= 3)
        _ = press(&s, .char("g"), .char("n"))
        let first = matches.first { $0 > 0 } ?? -1
        #expect(s.cursor == first)
        _ = press(&s, .char("n"))
        #expect(s.cursor == matches.first { $0 > first } ?? -1)
        _ = press(&s, .char("N"))
        #expect(s.cursor == first)
        _ = press(&s, .char("G"), .char("n"))
        #expect(s.cursor == matches[0] && s.notice?.text == "search wrapped")
    }

    @Test func slashAndColonKeepAHistory() {
        var s = Fixture.state()
        for f in ["status:stuck", "acme"] {
            _ = press(&s, .char("/"), .ctrl("u"))
            typed(&s, f)
            _ = press(&s, .enter)
        }
        #expect(s.filterHistory == ["status:stuck", "acme"])
        _ = press(&s, .char("/"), .ctrl("u"), .up)
        #expect(s.input == .filter(text: "acme", previous: s.filter))
        _ = press(&s, .ctrl("p"))
        if case .filter(let t, _) = s.input { #expect(t == "status:stuck") } else { Issue.record("no filter line") }
        _ = press(&s, .up)
        if case .filter(let t, _) = s.input { #expect(t == "status:stuck") }
        _ = press(&s, .down, .ctrl("n"))
        if case .filter(let t, _) = s.input { #expect(t == "") }
        _ = press(&s, .escape)
        _ = press(&s, .char(":"))
        typed(&s, "sort tenant")
        _ = press(&s, .enter, .char(":"), .up)
        #expect(s.input == .command(text: "sort tenant"))
        _ = press(&s, .enter)
        #expect(s.commandHistory == ["sort tenant"])
    }

    @Test(arguments: [(80, 24), (120, 40)])
    func newAboveSnapshot(width: Int, height: Int) {
        var s = Fixture.state(width: width, height: height)
        _ = press(&s, .char("j"), .char("j"))
        arrive(&s, ["n1", "n2"])
        assertSnapshot(Fixture.rendered(s), theme: dark, named: "new-above-\(width)x\(height)")
    }
}
