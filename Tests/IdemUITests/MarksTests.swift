import IdemCore
import IdemUI
import Testing

/// Marks (Space), `D` on the marks, and `:export` of the marks or the filter's rows, key by key.
@Suite struct MarksTests: DrivesState {
    let dark = BuiltinThemes.standard

    func command(_ s: inout AppState, _ line: String) -> [Effect] {
        var out = press(&s, .char(":"))
        for ch in line { out += press(&s, .char(ch)) }
        return out + press(&s, .enter)
    }

    @Test func spaceMarksAndMovesOnAndAMarkerColumnShows() {
        var s = Fixture.state()
        let first = s.index[0], second = s.index[1]
        _ = press(&s, .char(" "))
        #expect(s.marks == [first] && s.cursor == 1)
        _ = press(&s, .char(" "))
        #expect(s.marks == [first, second] && s.cursor == 2)
        let lines = screenLines(Fixture.rendered(s))
        #expect(lines[s.layout.tableRows.lowerBound].hasPrefix("● "))
        #expect(lines[s.layout.tableRows.lowerBound + 2].hasPrefix("  "))
        #expect(lines[s.layout.tableHeaderRow].hasPrefix("  STATUS"))
        #expect(lines[s.layout.noticeRow].contains("2 marked"))
        // Space on a marked row unmarks it; Esc clears every mark (before the filter).
        _ = press(&s, .char("k"), .char(" "))
        #expect(s.marks == [first])
        _ = press(&s, .escape)
        #expect(s.marks.isEmpty)
        #expect(screenLines(Fixture.rendered(s))[s.layout.tableHeaderRow].hasPrefix("STATUS"))
        // PgDn still pages.
        _ = press(&s, .char("g"), .pageDown)
        #expect(s.cursor > 1 && s.marks.isEmpty)
    }

    @Test func dPurgesTheMarksWhenThereAreAny() {
        var s = Fixture.state()
        _ = press(&s, .char("D"))
        #expect(s.bulkPurge == nil && s.notice?.isError == true)
        _ = press(&s, .escape, .char(" "), .char(" "), .char(" "))
        let marked = Set(s.marks)
        #expect(marked.count == 3)
        _ = press(&s, .char("D"))
        let orders = s.bulkPurge?.orders.map { $0.key } ?? []
        let keys = Set(marked.map { s.ledger.key(of: s.ledger.records[Int($0)]) })
        // The purged token among the marks is left out, as a filter's would be.
        let purged = keys.filter { s.ledger.record($0)?.status(at: s.now) == .purged }
        #expect(Set(orders) == keys.subtracting(purged) && !orders.isEmpty)
        #expect(s.bulkPurge?.filter == "the 3 marked")
    }

    @Test func exportWritesTheMarksElseTheFilter() {
        var s = Fixture.state()
        _ = s.setFilter("acme")
        _ = s.update(.reindex)
        #expect(command(&s, "export /tmp/acme.csv") == [.export(path: "/tmp/acme.csv", records: s.index.rows)])
        _ = press(&s, .char("j"), .char(" "))
        let one = s.index[1]
        #expect(command(&s, "export out.json") == [.export(path: "out.json", records: [one])])
        #expect(s.notice?.text == "exporting 1 marked tokens to out.json…")
        #expect(command(&s, "export out.txt") == [])
        #expect(s.notice?.isError == true && s.notice?.text.hasPrefix("usage: :export FILE.csv|FILE.json") == true)
    }

    @Test(arguments: [(80, 24), (120, 40)])
    func markedTableSnapshot(width: Int, height: Int) {
        var s = Fixture.state(width: width, height: height)
        _ = press(&s, .char(" "), .char("j"), .char(" "))
        assertSnapshot(Fixture.rendered(s), theme: dark, named: "marked-table-\(width)x\(height)")
    }
}
