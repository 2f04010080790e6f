import IdemCore
import IdemUI
import Testing

/// The pure update, key by key.
@Suite struct UpdateTests: DrivesState {
    @Test func navigationMovesAndClamps() {
        var s = Fixture.state()
        #expect(s.cursor == 0)
        _ = press(&s, .char("j"), .down)
        #expect(s.cursor == 2)
        _ = press(&s, .char("k"))
        #expect(s.cursor == 1)
        _ = press(&s, .char("G"))
        #expect(s.cursor == s.index.count - 1)
        _ = press(&s, .char("j"))
        #expect(s.cursor == s.index.count - 1)
        _ = press(&s, .char("g"), .up)
        #expect(s.cursor == 0)
        _ = press(&s, .pageDown)
        #expect(s.cursor == min(s.index.count - 1, s.layout.tableHeight - 1))
        #expect(s.selectedRecord == s.index[s.cursor])
    }

    @Test func selectionStaysOnTheSameTokenWhenRowsMove() {
        var s = Fixture.state()
        _ = press(&s, .char("j"), .char("j"))
        let key = s.selectedKey
        // New activity sorts newer tokens above it (default sort: last seen, newest first).
        let fresh = (0..<5).map { Fixture.request("acme", "new-\($0)", "POST /v1/charges", .executed, at: Fixture.at(1)) }
        _ = s.update(.events(fresh, malformed: []))
        _ = s.update(.reindex)
        #expect(s.selectedKey == key)
        #expect(s.cursor == 7)
    }

    @Test func topRowFollowsUntilTheUserMoves() {
        var s = Fixture.state()
        _ = s.update(.events([Fixture.request("acme", "newest", "POST /v1/charges", .executed, at: Fixture.at(1))],
                             malformed: []))
        _ = s.update(.reindex)
        #expect(s.cursor == 0)
        #expect(s.selectedKey?.token == "newest")
    }

    @Test func filterAppliesWhileTypingAndEnterKeepsIt() {
        var s = Fixture.state()
        let total = s.index.count
        _ = press(&s, .char("/"))
        type(&s, "status:stuck")
        #expect(s.input != nil)
        _ = s.update(.reindex)
        #expect(s.index.count == 1)
        _ = press(&s, .enter)
        #expect(s.input == nil)
        #expect(s.filter.source == "status:stuck")
        _ = press(&s, .escape)
        #expect(s.filter.isEmpty)
        _ = s.update(.reindex)
        #expect(s.index.count == total)
    }

    @Test func filterCommandNoneClearsTheFilter() {
        var s = Fixture.state()
        let total = s.index.count
        _ = press(&s, .char(":"))
        type(&s, "filter status:stuck")
        _ = press(&s, .enter)
        _ = s.update(.reindex)
        #expect(s.filter.source == "status:stuck")
        #expect(s.index.count == 1)
        _ = press(&s, .char(":"))
        type(&s, "filter none")
        _ = press(&s, .enter)
        _ = s.update(.reindex)
        #expect(s.filter.isEmpty)
        #expect(s.index.count == total)
    }

    @Test func filterEscRestoresThePreviousFilter() {
        var s = Fixture.state()
        _ = s.update(.key(.char("/")))
        type(&s, "acme")
        _ = press(&s, .enter)
        _ = press(&s, .char("/"))
        type(&s, " hits>10")
        #expect(s.filter.source == "acme hits>10")
        _ = press(&s, .escape)
        #expect(s.filter.source == "acme")
    }

    @Test func badFilterShowsWhyAndKeepsTheLastGoodOne() {
        var s = Fixture.state()
        _ = press(&s, .char("/"))
        type(&s, "acme")
        type(&s, " status:bogus")
        // Typed a key at a time: "acme status" was a good filter on the way.
        #expect(s.filter.source == "acme status")
        #expect(s.filterError?.contains("status is one of") == true)
        _ = press(&s, .backspace, .ctrl("u"))
        type(&s, "globex")
        #expect(s.filterError == nil)
        #expect(s.filter.source == "globex")
    }

    @Test func backspaceOnEmptyFilterCancels() {
        var s = Fixture.state()
        _ = press(&s, .char("/"), .backspace)
        #expect(s.input == nil)
    }

    @Test func sortCyclesAndInverts() {
        var s = Fixture.state()
        #expect(s.sortColumn == .lastSeen && s.sortDescending)
        _ = press(&s, .char("s"))
        #expect(s.sortColumn == .status)
        _ = s.update(.reindex)
        let first = s.ledger.records[Int(s.index[0])].status(at: s.now)
        #expect(first == .stuck)
        _ = press(&s, .char("S"))
        #expect(s.sortDescending)
        _ = s.update(.reindex)
        #expect(s.ledger.records[Int(s.index[0])].status(at: s.now) == .purged)
        _ = press(&s, .char("s"))
        #expect(s.sortColumn == .tenant)
    }

    @Test func sortByTokenIsByteOrderBothWays() {
        var s = Fixture.state()
        s.sort(by: .token, descending: false)
        s.reindex()
        let tokens = s.index.rows.map { s.ledger.records[Int($0)].token }
        #expect(tokens == tokens.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        s.sort(by: .token, descending: true)
        s.reindex()
        #expect(s.index.rows.map { s.ledger.records[Int($0)].token } == tokens.reversed())
    }

    /// Sorting by a time or count orders by the key, ties by the record's position, both ways; the packed integer
    /// sort (keys within 2^32 of each other) and the general one (a wider spread, e.g. a year-2100 expiry) agree.
    @Test(arguments: [false, true])
    func sortByKeyBreaksTiesByPosition(wideSpread: Bool) {
        var s = AppState(storeName: "t", storeKind: "journal", now: Fixture.now)
        _ = s.update(.resize(width: 120, height: 40))
        var events: [StoreEvent] = []
        for i in 0..<40 {
            // Four tokens share each time: ties to break.
            var e = Fixture.request("acme", "tok-\(i)", "POST /v1/charges", .executed, at: Fixture.at(Int64(-(i / 4))))
            if wideSpread, i == 7 { e.expiresAt = Instant(rfc3339: "2100-01-01T00:00:00Z") }
            events.append(e)
        }
        _ = s.update(.events(events, malformed: []))
        for column in [Column.lastSeen, .expires, .age] {
            for descending in [false, true] {
                s.sort(by: column, descending: descending)
                s.reindex()
                let records = s.ledger.records
                func key(_ i: Int32) -> Int64 {
                    let r = records[Int(i)]
                    switch column {
                    case .lastSeen: return r.lastSeen.ms
                    case .expires: return r.expiresAt.ms
                    default: return -r.createdAt.ms
                    }
                }
                let expected = (0..<Int32(records.count)).sorted { a, b in
                    key(a) != key(b) ? (descending ? key(a) > key(b) : key(a) < key(b)) : a < b
                }
                #expect(s.index.rows == expected, "\(column) \(descending ? "desc" : "asc")")
            }
        }
    }

    @Test func tailPauseCountsNewAndResumes() {
        var s = Fixture.state()
        _ = press(&s, .char("p"))
        #expect(s.tail.isPaused)
        let before = s.tail.visible(rows: 5).map(\.token)
        _ = s.update(.events([Fixture.request("acme", "x", "POST /v1/charges", .executed, at: Fixture.at(1)),
                              Fixture.completed("acme", "x", at: Fixture.at(2)),
                              Fixture.request("acme", "x", "POST /v1/charges", .replayed, at: Fixture.at(3))],
                             malformed: []))
        // Completions go to the table, not the tail: two new tail lines.
        #expect(s.tail.newSincePause == 2)
        #expect(s.tail.visible(rows: 5).map(\.token) == before)
        _ = press(&s, .char("p"))
        #expect(!s.tail.isPaused)
        #expect(s.tail.visible(rows: 1).first?.token == "x")
    }

    @Test func tabMovesFocusAndScrollingUpTheTailPausesIt() {
        var s = Fixture.state()
        _ = press(&s, .tab)
        #expect(s.focus == .tail)
        let cursor = s.cursor
        _ = press(&s, .char("k"))
        #expect(s.tail.isPaused)
        // The cursor goes up the lines on screen first, then the view scrolls back.
        #expect(s.tail.cursor == 1 && s.tail.scroll == 0)
        for _ in 0..<s.layout.tailRows.count { _ = press(&s, .char("k")) }
        #expect(s.tail.cursor == s.layout.tailRows.count - 1 && s.tail.scroll == 2)
        #expect(s.cursor == cursor)
        _ = press(&s, .char("G"))
        #expect(!s.tail.isPaused)
        _ = press(&s, .backTab)
        #expect(s.focus == .table)
    }

    @Test func commandLine() {
        var s = Fixture.state()
        _ = press(&s, .char(":"))
        type(&s, "sort hits")
        #expect(press(&s, .enter).isEmpty)
        #expect(s.sortColumn == .hits && s.sortDescending)
        _ = press(&s, .char(":"))
        type(&s, "theme light")
        #expect(press(&s, .enter) == [.setTheme("light")])
        _ = press(&s, .char(":"))
        type(&s, "filter tenant:acme")
        _ = press(&s, .enter)
        #expect(s.filter.source == "tenant:acme")
        _ = press(&s, .char(":"))
        type(&s, "nope")
        _ = press(&s, .enter)
        #expect(s.notice?.isError == true)
        #expect(s.notice?.text.contains("unknown command") == true)
        _ = press(&s, .char(":"))
        type(&s, "so")
        _ = press(&s, .tab)
        #expect(s.input == .command(text: "sort "))
        _ = press(&s, .escape)
        #expect(s.input == nil)
        _ = press(&s, .char(":"), .char("q"))
        #expect(press(&s, .enter) == [.quit])
    }

    @Test func enterOpensDetailEscGoesBackQQuits() {
        var s = Fixture.state()
        let key = s.selectedKey
        #expect(press(&s, .enter) == [.loadDetail(key!)])
        #expect(s.mode == .detail)
        _ = s.update(.detailLoaded(DetailContent(key: key!, request: nil, response: nil, error: nil, timeline: [])))
        #expect(s.detail?.lines.isEmpty == false)
        _ = press(&s, .escape)
        #expect(s.mode == .main)
        #expect(press(&s, .char("q")) == [.quit])
        #expect(press(&s, .ctrl("c")) == [.quit])
    }

    @Test func detailForAnotherTokenIsIgnored() {
        var s = Fixture.state()
        _ = press(&s, .enter)
        _ = s.update(.detailLoaded(DetailContent(key: TokenKey(tenant: "x", token: "y"), request: nil, response: nil,
                                                 error: nil, timeline: [])))
        #expect(s.detail?.content == nil)
    }

    @Test func newEventsForTheOpenTokenReloadIt() {
        var s = Fixture.state()
        let key = s.selectedKey!
        _ = press(&s, .enter)
        let effects = s.update(.events([Fixture.request(key.tenant, key.token, "POST /v1/charges", .replayed,
                                                        at: Fixture.at(1))], malformed: []))
        #expect(effects == [.loadDetail(key)])
    }

    @Test func yCopiesTheSelectedToken() {
        var s = Fixture.state()
        let token = s.selectedKey!.token
        #expect(press(&s, .char("y")) == [.copy(token)])
    }

    @Test func helpOpensAndCloses() {
        var s = Fixture.state()
        _ = press(&s, .char("?"))
        #expect(s.mode == .help)
        _ = press(&s, .escape)
        #expect(s.mode == .main)
    }

    @Test func mouseIsIgnoredUnlessEnabled() {
        var s = Fixture.state()
        _ = s.update(.mouse(MouseEvent(.click, x: 2, y: s.layout.tableHeaderRow)))
        #expect(s.sortColumn == .lastSeen)
        s.mouseEnabled = true
        _ = s.update(.mouse(MouseEvent(.click, x: 2, y: s.layout.tableHeaderRow)))
        #expect(s.sortColumn == .status)
        _ = s.update(.reindex)
        _ = s.update(.mouse(MouseEvent(.click, x: 20, y: s.layout.tableRows.lowerBound + 3)))
        #expect(s.cursor == 3)
    }

    @Test func tickMovesCountdownsAndExpiry() {
        var s = Fixture.state()
        let before = s.statusCounts[.expired] ?? 0
        _ = s.update(.tick(Fixture.at(24 * 3600)))
        #expect((s.statusCounts[.expired] ?? 0) > before)
    }

    @Test func tallyMatchesARecountAsTimePasses() {
        var s = Fixture.state()
        func recount() -> [TokenStatus: Int] {
            var out = Dictionary(uniqueKeysWithValues: TokenStatus.allCases.map { ($0, 0) })
            for r in s.ledger.records { out[r.status(at: s.now), default: 0] += 1 }
            return out
        }
        #expect(s.statusCounts == recount())
        for seconds in [30, 61, 600, 3600, 23 * 3600, 24 * 3600 + 5, 48 * 3600] {
            _ = s.update(.tick(Fixture.at(Int64(seconds))))
            #expect(s.statusCounts == recount(), "at +\(seconds)s")
            _ = s.update(.events([Fixture.request("acme", "t\(seconds)", "POST /v1/charges", .executed,
                                                  at: Fixture.at(Int64(seconds)))], malformed: []))
            #expect(s.statusCounts == recount(), "after an event at +\(seconds)s")
        }
    }

    @Test func noticesAndErrorsShow() {
        var s = Fixture.state()
        _ = s.update(.notices(["journal truncated; reading again from the start"]))
        #expect(Fixture.rendered(s).line(s.layout.noticeRow).contains("journal truncated"))
        _ = s.update(.error("theme: no such theme"))
        #expect(s.notice?.isError == true)
        // Opening the filter moves on from the error (it would hide the filter's count); a plain notice stays.
        _ = s.update(.key(.char("/")))
        #expect(s.notice == nil)
        _ = s.update(.key(.escape))
        _ = s.update(.notices(["journal rotated"]))
        _ = s.update(.key(.char(":")))
        #expect(s.notice?.text == "journal rotated")
    }
}
