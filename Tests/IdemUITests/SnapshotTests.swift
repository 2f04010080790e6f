import IdemCore
import IdemUI
import Testing

/// Snapshots of every screen at 80x24 and 120x40, with a fixed clock.
@Suite struct SnapshotTests {
    let dark = BuiltinThemes.standard

    @Test(arguments: [(80, 24), (120, 40)])
    func mainView(width: Int, height: Int) {
        let s = Fixture.state(width: width, height: height)
        assertSnapshot(Fixture.rendered(s), theme: dark, named: "main-\(width)x\(height)")
    }

    @Test(arguments: [(80, 24), (120, 40)])
    func detailView(width: Int, height: Int) {
        var s = Fixture.state(width: width, height: height)
        let row = s.index.rows.firstIndex { s.ledger.records[Int($0)].token == Fixture.longToken } ?? 0
        _ = s.update(.key(.char("g")))
        for _ in 0..<row { _ = s.update(.key(.char("j"))) }
        let effects = s.update(.key(.enter))
        #expect(effects == [.loadDetail(TokenKey(tenant: "acme", token: Fixture.longToken))])
        _ = s.update(.detailLoaded(Fixture.detail))
        assertSnapshot(Fixture.rendered(s), theme: dark, named: "detail-\(width)x\(height)")
        _ = s.update(.key(.pageDown))
        assertSnapshot(Fixture.rendered(s), theme: dark, named: "detail-page2-\(width)x\(height)")
    }

    @Test(arguments: [(80, 24), (120, 40)])
    func helpView(width: Int, height: Int) {
        var s = Fixture.state(width: width, height: height)
        _ = s.update(.key(.char("?")))
        assertSnapshot(Fixture.rendered(s), theme: dark, named: "help-\(width)x\(height)")
    }

    @Test(arguments: [(80, 24), (120, 40)])
    func filterTyping(width: Int, height: Int) {
        var s = Fixture.state(width: width, height: height)
        _ = s.update(.key(.char("/")))
        for ch in "op:charges hits>0" { _ = s.update(.key(.char(ch))) }
        _ = s.update(.reindex)
        assertSnapshot(Fixture.rendered(s), theme: dark, named: "filter-typing-\(width)x\(height)")
        _ = s.update(.key(.enter))
        assertSnapshot(Fixture.rendered(s), theme: dark, named: "filter-applied-\(width)x\(height)")
    }

    @Test(arguments: [(59, 24), (80, 14), (30, 8)])
    func tinyTerminal(width: Int, height: Int) {
        let s = Fixture.state(width: width, height: height)
        let g = Fixture.rendered(s)
        #expect(g.text.contains("60x15"))
        assertSnapshot(g, theme: dark, named: "tiny-\(width)x\(height)")
    }

    @Test(arguments: [(80, 24), (120, 40)])
    func monochrome(width: Int, height: Int) {
        let s = Fixture.state(width: width, height: height)
        let mono = Theme.monochrome
        assertSnapshot(Fixture.rendered(s, theme: mono), theme: mono, named: "monochrome-\(width)x\(height)")
        // Nothing but attributes.
        for role in Role.allCases {
            #expect(mono[role].fg == .terminalDefault && mono[role].bg == .terminalDefault, "\(role)")
        }
    }

    /// The purge dialog on the CJK tenant's token (focus moved to Purge), and the replay panel with an answer that
    /// differs from the stored response.
    @Test(arguments: [(80, 24), (120, 40)])
    func purgeDialogAndReplayPanel(width: Int, height: Int) throws {
        var s = Fixture.state(width: width, height: height)
        let row = try #require(s.index.rows.firstIndex { s.ledger.tenant(of: s.ledger.records[Int($0)]) == "東京商事" })
        _ = s.update(.key(.char("g")))
        for _ in 0..<row { _ = s.update(.key(.char("j"))) }
        _ = s.update(.key(.char("d")))
        _ = s.update(.key(.tab))
        let dialog = Fixture.rendered(s)
        #expect(dialog.text.contains("[ Purge ]") && dialog.text.contains("注文-2026-東京"))
        assertSnapshot(dialog, theme: dark, named: "purge-dialog-\(width)x\(height)")
        _ = s.update(.key(.escape))

        let key = try #require(s.selectedKey)
        _ = s.update(.key(.char("r")))
        _ = s.update(.replayFinished(key, lines: [
            "replayed \(key.description): POST http://127.0.0.1:8080/v1/café/paiements in 41 ms",
            "",
            "           stored   now",
            "status     201      201",
            "Idempotent-Replayed  -  true",
            "",
            "body differs:",
            "- {\"amount\": 1200, \"currency\": \"jpy\", \"id\": \"ch_1\", \"note\": \"領収書の発行をお願いします\"}",
            "+ {\"amount\": 1200, \"currency\": \"jpy\", \"id\": \"ch_2\"}",
            "",
            "recorded: replay by ops@host -> 201",
        ], failed: false))
        assertSnapshot(Fixture.rendered(s), theme: dark, named: "replay-panel-\(width)x\(height)")
    }

    /// The purge dialog on the stuck token of a store whose purge releases a stuck token's lock (its driver's
    /// wording: the question and what will happen).
    @Test(arguments: [(80, 24), (120, 40)])
    func purgeDialogOfAReleasingStore(width: Int, height: Int) throws {
        var s = Fixture.state(width: width, height: height)
        s.purgeWordings = [0: [.stuck: Fixture.release]]
        try Fixture.selecting("order-1001", in: &s)
        _ = s.update(.key(.char("d")))
        let dialog = Fixture.rendered(s)
        #expect(dialog.text.contains("Release the lock of this token?") && dialog.text.contains("order-1001"))
        assertSnapshot(dialog, theme: dark, named: "purge-dialog-release-\(width)x\(height)")
    }

    /// The replay confirmation on an expired token (the service executes it again: in the error role) and on a
    /// completed one (answered from the stored response).
    @Test(arguments: [(80, 24), (120, 40)])
    func replayDialog(width: Int, height: Int) throws {
        for (token, name, path) in [("tok-expired", "expired", "/v1/refunds"), (Fixture.longToken, "completed", "/v1/charges")] {
            var s = Fixture.state(width: width, height: height)
            let row = try #require(s.index.rows.firstIndex { s.ledger.records[Int($0)].token == token })
            _ = s.update(.key(.char("g")))
            for _ in 0..<row { _ = s.update(.key(.char("j"))) }
            let key = try #require(s.selectedKey)
            _ = s.update(.key(.char("r")))
            _ = s.update(.replayPrepared(Fixture.preview(key, path: path)))
            let g = Fixture.rendered(s)
            #expect(g.text.contains("Replay this request?") && g.text.contains("[ Cancel ]"), "\(g.text)")
            #expect(g.text.contains(name == "expired" ? "EXECUTE" : "nothing runs again"), "\(g.text)")
            assertSnapshot(g, theme: dark, named: "replay-dialog-\(name)-\(width)x\(height)")
        }
    }

    /// The bulk purge over a filter that shows tokens of several statuses, half typed.
    @Test(arguments: [(80, 24), (120, 40)])
    func bulkPurgeDialog(width: Int, height: Int) throws {
        var s = Fixture.state(width: width, height: height)
        _ = s.setFilter("op:charges")
        _ = s.update(.key(.char("D")))
        _ = s.update(.key(.char("3")))
        let g = Fixture.rendered(s)
        #expect(g.text.contains("Type 4 and Enter") && g.text.contains("> 3_"), "\(g.text)")
        assertSnapshot(g, theme: dark, named: "bulk-purge-\(width)x\(height)")
    }

    @Test func pausedTailWithNewEvents() {
        var s = Fixture.state(width: 100, height: 30)
        _ = s.update(.key(.char("p")))
        let more = (0..<3).map { i in
            Fixture.request("acme", "late-\(i)", "POST /v1/charges", .executed, at: Fixture.at(Int64(i)))
        }
        _ = s.update(.events(more, malformed: []))
        _ = s.update(.reindex)
        let g = Fixture.rendered(s)
        #expect(g.text.contains("PAUSED · 3 new"))
        assertSnapshot(g, theme: dark, named: "tail-paused-100x30")
    }

    /// A store read as a snapshot says so in the header instead of "live", until the reader follows it again.
    @Test func snapshotStoreIsNotShownAsLive() {
        var s = Fixture.state(width: 100, height: 30)
        #expect(Fixture.rendered(s).line(0).contains("● live"))
        _ = s.update(.snapshot(true))
        let header = Fixture.rendered(s).line(0)
        #expect(header.contains("◼ snapshot, not live") && !header.contains("● live"), "\(header)")
        _ = s.update(.snapshot(false))
        #expect(Fixture.rendered(s).line(0).contains("● live"))
    }

    @Test func loadingProgress() {
        var s = AppState(storeName: "big.jsonl", storeKind: "journal", now: Fixture.now)
        _ = s.update(.resize(width: 100, height: 30))
        _ = s.update(.events(Array(Fixture.events.prefix(6)), malformed: []))
        _ = s.update(.progress(LoadStatus(done: 120_000_000, total: 190_000_000, unit: "bytes", rate: 45_000_000,
                                          finished: false)))
        _ = s.update(.reindex)
        let g = Fixture.rendered(s)
        #expect(g.text.contains("63%"))
        assertSnapshot(g, theme: dark, named: "loading-100x30")
    }
}
