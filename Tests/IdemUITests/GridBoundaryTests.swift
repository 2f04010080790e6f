import IdemCore
import IdemFakes
import IdemUI
import Testing

/// The dashboard grid is an output boundary: whatever a view puts there from a hostile store, no cell holds a
/// control character, DEL, C1 or bidi override; and a zero-width-joiner emoji takes the two columns it is drawn in.
@Suite struct GridBoundaryTests: DrivesState {
    func expectSafe(_ s: AppState, _ screenName: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let text = Fixture.rendered(s).text
        let found = HostileText.unsafe(Array(text.utf8))
        #expect(found.isEmpty, "\(screenName): \(found.prefix(5))\n\(text)", sourceLocation: sourceLocation)
        #expect(text.contains("[2J") || text.contains("[?1049l") || screenName == "help",
                "\(screenName) shows hostile text, made visible:\n\(text)", sourceLocation: sourceLocation)
    }

    @Test func everyScreenOverAHostileStoreIsSafe() throws {
        var s = AppState(storeName: HostileText.value("store"), storeKind: "journal", now: Fixture.now)
        _ = s.update(.resize(width: 120, height: 40))
        let events = HostileText.events(start: Fixture.now - .minutes(10))
        _ = s.update(.events(events, malformed: [MalformedEntry(position: 11, reason: HostileText.value("M"))]))
        _ = s.update(.tick(Fixture.now))
        _ = s.update(.reindex)
        expectSafe(s, "main")
        _ = s.update(.notices([HostileText.value("notice")]))
        expectSafe(s, "main with a notice")
        _ = press(&s, .tab)
        expectSafe(s, "tail focused")
        _ = press(&s, .tab)

        let key = try #require(s.selectedKey)
        _ = press(&s, .enter)
        let request = events.first { $0.request != nil }?.request
        let response = events.first { $0.response != nil }?.response
        _ = s.update(.detailLoaded(DetailContent(key: key, request: request, response: response,
                                                 error: HostileText.value("E"), timeline: events)))
        expectSafe(s, "detail")
        for _ in 0..<6 { _ = press(&s, .pageDown) }
        expectSafe(s, "detail scrolled")
        _ = press(&s, .escape)

        _ = press(&s, .char("d"))
        expectSafe(s, "purge dialog")
        _ = press(&s, .escape, .char("r"))
        _ = s.update(.replayPrepared(ReplayPreview(key: key, method: "POST", url: "http://x" + HostileText.value("U"),
                                                   idempotencyHeader: HostileText.value("H"),
                                                   notSent: [HostileText.value("S")])))
        expectSafe(s, "replay dialog")
        _ = press(&s, .escape)
        _ = s.update(.replayFinished(key, lines: [HostileText.value("L1"), "- " + HostileText.value("L2")], failed: true))
        expectSafe(s, "replay panel")
        _ = press(&s, .escape)
        _ = s.update(.error(HostileText.value("error")))
        expectSafe(s, "an error notice")
        _ = press(&s, .char("F"))
        s.refreshFindings(force: true)
        expectSafe(s, "findings")
    }

    /// `put` itself sanitises: a view that forgets to make text visible still cannot reach the terminal.
    @Test func putMakesRawTextVisible() {
        var g = Grid(width: 200, height: 1)
        g.put(HostileText.value("raw"), x: 0, y: 0, role: .normal)
        #expect(HostileText.unsafe(Array(g.text.utf8)).isEmpty, "\(g.text)")
        #expect(g.line(0).hasPrefix(#"raw\x1b[2J\x1b]52;c;aGk=\x07"#), "\(g.line(0))")
    }

    /// `👨‍👩‍👧` is one grapheme two columns wide: the columns after it stay where they are, in the grid and in tables.
    @Test func zeroWidthJoinerEmojiKeepsColumnsAligned() {
        let family = "👨\u{200d}👩\u{200d}👧"
        #expect(TextWidth.of(family) == 2)
        #expect(Sanitizer.visible(family) == family, "a joiner inside an emoji sequence is part of the picture")
        var g = Grid(width: 20, height: 2)
        let used = g.put(family + "|x", x: 0, y: 0, role: .normal)
        g.put("ab|x", x: 0, y: 1, role: .normal)
        #expect(used == 4)
        #expect(g[2, 0].text == "|" && g[2, 1].text == "|", "\(g.text)")
        let lines = TextTable.render(header: ["OP", "NEXT"], rows: [[family, "x"], ["ab", "y"]])
        let columns = lines.map { line in TextWidth.of(String(line[..<(line.firstIndex(of: "x") ?? line.firstIndex(of: "y") ?? line.endIndex)])) }
        #expect(columns[1] == columns[2], "\(lines)")
    }
}
