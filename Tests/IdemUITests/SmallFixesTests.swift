import IdemCore
import IdemUI
import Testing

/// The small things that cost trust (issue 11 §8), key by key on the pure update and on the drawn grid.
@Suite struct SmallFixesTests: DrivesState {
    func screen(_ s: AppState) -> [String] { screenLines(Fixture.rendered(s)) }

    @Test(arguments: [(Column.hits, "HIT▼"), (.mismatches, "MIS▼"), (.conflicts, "CONF▼"), (.lastSeen, "LAST SEE▼")])
    func theSortMarkerShowsOnNarrowColumns(column: Column, title: String) {
        var s = Fixture.state(width: 120, height: 40)
        s.sort(by: column, descending: true)
        _ = s.update(.reindex)
        let header = screen(s)[s.layout.tableHeaderRow]
        #expect(header.contains(title), "\(header)")
        s.sort(by: column, descending: false)
        #expect(screen(s)[s.layout.tableHeaderRow].contains(title.dropLast() + "▲"))
    }

    @Test func aFilterPutsTheCursorOnTheFirstMatchAndTheStatusSaysWhichRow() {
        var s = Fixture.state(width: 120, height: 40)
        _ = press(&s, .char("j"), .char("j"), .char("j"))
        #expect(s.cursor == 3)
        #expect(screen(s)[s.layout.noticeRow].hasSuffix("row 4 of 8 "))
        _ = press(&s, .char("/"))
        for ch in "acme" { _ = press(&s, .char(ch)) }
        _ = press(&s, .enter)
        _ = s.update(.reindex)
        #expect(s.cursor == 0 && s.index.count == 2)
        #expect(screen(s)[s.layout.noticeRow].contains("2 of 8 tokens"))
        #expect(screen(s)[s.layout.noticeRow].hasSuffix("row 1 of 2 "))
    }

    @Test func at60x15TheHeaderCutsWholeCountsAndTheTableWholeColumns() {
        let s = Fixture.state(width: 60, height: 15)
        let lines = screen(s)
        let counts = lines[1].trimmingCharacters(in: .whitespaces)
        #expect(counts.hasSuffix("…"), "\(counts)")
        // Every status word shown has its number after it.
        let words = counts.dropLast().split(separator: " ")
        #expect(words.count % 2 == 0 && stride(from: 1, to: words.count, by: 2).allSatisfy { Int(words[$0]) != nil })
        let header = lines[s.layout.tableHeaderRow]
        #expect(header.hasPrefix("STATUS      TOKEN"), "\(header)")
        #expect(!header.contains("HI") && !header.contains("MI"), "a title without room for its values: \(header)")
        #expect(TextWidth.of(header) == 60)
    }

    @Test func at60x15TheFindingsListDropsTheEvidenceColumnAndTwoTokensStillSitSideBySide() {
        var s = FindingsFixture.state(width: 60, height: 15)
        _ = press(&s, .char("F"))
        let header = screen(s).first { $0.hasPrefix("SEVERITY") } ?? ""
        #expect(header.trimmingCharacters(in: .whitespaces).hasSuffix("LAST"), "\(header)")
        _ = s.setFilter("kind:double token:9b1e")
        _ = press(&s, .enter)
        let titles = screen(s).first { $0.hasPrefix("1. ") } ?? ""
        #expect(titles.contains("2. " + FindingsFixture.doubleB.prefix(10)), "\(titles)")
    }

    @Test func ctrlZSuspends() {
        var s = Fixture.state()
        #expect(press(&s, .ctrl("z")) == [.suspend])
        _ = press(&s, .char("F"))
        #expect(press(&s, .ctrl("z")) == [.suspend])
        #expect(s.mode == .findings)
    }

    @Test func helpScrollsToTheEndWithGAndEnd() {
        var s = Fixture.state()
        _ = press(&s, .char("?"))
        _ = press(&s, .char("G"))
        let end = s.helpScroll
        #expect(end > 0)
        _ = press(&s, .char("g"), .end)
        #expect(s.helpScroll == end)
        _ = press(&s, .char("j"))
        #expect(s.helpScroll == end)
        #expect(screen(s).contains { $0.contains("expiring_with_retries") })
    }
}
