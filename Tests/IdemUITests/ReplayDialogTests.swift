import IdemCore
import IdemUI
import Testing

/// The replay confirmation, key by key: `r` asks for the plan, the dialog opens on Cancel with what the service will
/// most likely do, and only Enter on Replay sends. Read-only refuses `d`, `D` and `r` before any dialog.
@Suite struct ReplayDialogTests: DrivesState {
    /// Selects the row of `token` in the table.
    func select(_ s: inout AppState, token: String) throws {
        let row = try #require(s.index.rows.firstIndex { s.ledger.records[Int($0)].token == token })
        _ = press(&s, .char("g"))
        for _ in 0..<row { _ = press(&s, .char("j")) }
        #expect(s.selectedKey?.token == token)
    }

    /// The row of the screen holding `text`, and its role codes.
    func roles(of text: String, in s: AppState) -> String? {
        let g = Fixture.rendered(s)
        return (0..<g.height).first { g.line($0).contains(text) }.map { g.roleLine($0) }
    }

    @Test func rAsksForThePlanAndTheDialogOpensOnCancel() throws {
        var s = Fixture.state(width: 120, height: 40)
        let key = try #require(s.selectedKey)
        #expect(press(&s, .char("r")) == [.prepareReplay(key)], "r sends nothing: it asks for the plan")
        #expect(s.replayDialog == nil)
        #expect(s.update(.replayPrepared(Fixture.preview(key))).isEmpty)
        let d = try #require(s.replayDialog)
        #expect(d.key == key && !d.replayFocused && d.expectation == .replayed)
        let text = screen(s)
        #expect(text.contains("Replay this request?") && text.contains("[ Cancel ]"), "\(text)")
        #expect(text.contains("method     POST") && text.contains("url        http://127.0.0.1:8080/v1/charges"))
        #expect(text.contains("header     Idempotency-Key: \(key.token)"))
        #expect(text.contains("not sent   Authorization (secret)"))
        #expect(text.contains("answered from the stored response, nothing runs again"))

        // Enter on Cancel, Esc, q: nothing sent.
        #expect(press(&s, .enter).isEmpty && s.replayDialog == nil)
        #expect(s.notice?.text == "replay cancelled: nothing was sent")
        for cancel in [Key.escape, .char("q"), .char("n")] {
            _ = press(&s, .char("r"))
            _ = s.update(.replayPrepared(Fixture.preview(key)))
            #expect(press(&s, cancel).isEmpty && s.replayDialog == nil, "\(cancel) cancels")
        }
        // Tab moves to Replay, Tab again back to Cancel; Enter on Replay sends.
        _ = press(&s, .char("r"))
        _ = s.update(.replayPrepared(Fixture.preview(key)))
        _ = press(&s, .tab, .tab)
        #expect(s.replayDialog?.replayFocused == false)
        _ = press(&s, .right)
        #expect(screen(s).contains("[ Replay ]"))
        #expect(press(&s, .enter) == [.replay(key)] && s.replayDialog == nil)
    }

    @Test func thePredictionFollowsTheTokensStatus() throws {
        var s = Fixture.state(width: 120, height: 40)
        let cases: [(String, ReplayExpectation, Character)] = [
            (Fixture.longToken, .replayed, "n"), ("tok-expired", .executes, "!"), ("order-77", .executes, "!"),
            ("pay-0042", .executes, "!"), ("order-1001", .conflict, "n"),
        ]
        for (token, expected, role) in cases {
            try select(&s, token: token)
            let key = try #require(s.selectedKey)
            _ = press(&s, .char("r"))
            _ = s.update(.replayPrepared(Fixture.preview(key)))
            #expect(s.replayDialog?.expectation == expected, "\(token)")
            let line = "What will happen: \(expected.sentence)"
            let text = screen(s)
            #expect(text.contains(String(line.prefix(60))), "\(token): \(text)")
            let codes = try #require(roles(of: "What will happen", in: s))
            #expect(codes.contains(String(repeating: role, count: 10)), "\(token) in role \(role): \(codes)")
            _ = press(&s, .escape)
        }
        #expect(ReplayExpectation(status: nil) == .executes, "no record: it executes")
        #expect(ReplayExpectation(status: .stuck).sentence.hasPrefix("409 expected"))
        #expect(ReplayExpectation.executes.sentence == "the service will EXECUTE this request again (a new charge)")
    }

    @Test func aPlanForAnotherTokenOrAFailedOneOpensNoDialog() throws {
        var s = Fixture.state(width: 120, height: 40)
        let key = try #require(s.selectedKey)
        #expect(s.update(.replayPrepared(Fixture.preview(key))).isEmpty && s.replayDialog == nil,
                "a plan nobody asked for is dropped")
        _ = press(&s, .char("r"))
        _ = s.update(.replayFinished(key, lines: ["no replay target: start the dashboard with --target BASE_URL"],
                                     failed: true))
        #expect(s.replayDialog == nil && s.replayPanel?.failed == true && s.replayPreparing == nil)
    }

    @Test func theDetailViewReplaysTheOpenToken() throws {
        var s = Fixture.state(width: 120, height: 40)
        let key = try #require(s.selectedKey)
        _ = press(&s, .enter)
        _ = s.update(.detailLoaded(Fixture.detail))
        #expect(press(&s, .char("r")) == [.prepareReplay(key)])
        _ = s.update(.replayPrepared(Fixture.preview(key)))
        #expect(screen(s).contains("Replay this request?"))
        #expect(press(&s, .tab, .enter) == [.replay(key)] && s.mode == .detail)
    }

    @Test func readOnlyRefusesPurgeAndReplayAtOnceSayingWhy() throws {
        var s = Fixture.state(width: 120, height: 40)
        s.readOnlySource = "read_only = true in /home/ops/.config/idemtop/config.toml"
        _ = s.setFilter("acme")
        #expect(screen(s).components(separatedBy: "\n")[0].contains(" read-only "), "the header says it")
        for key in [Key.char("d"), .char("D"), .char("r")] {
            s.notice = nil
            #expect(press(&s, key).isEmpty, "\(key) asks the run loop for nothing")
            #expect(s.purgeDialog == nil && s.bulkPurge == nil && s.replayDialog == nil, "\(key) opens no dialog")
            #expect(s.notice?.isError == true)
            #expect(s.notice?.text == "read-only (read_only = true in /home/ops/.config/idemtop/config.toml): purge and replay are refused")
        }
        s.readOnlySource = "--read-only"
        _ = press(&s, .enter)
        #expect(press(&s, .char("d")).isEmpty && s.notice?.text.hasPrefix("read-only (--read-only)") == true,
                "the detail view refuses too")
        var writable = Fixture.state(width: 120, height: 40)
        #expect(!screen(writable).components(separatedBy: "\n")[0].contains("read-only"))
        _ = press(&writable, .char("d"))
        #expect(writable.purgeDialog != nil)
    }

    @Test func thePurgeReasonIsPrefilledAndEditable() throws {
        var s = Fixture.state(width: 120, height: 40)
        _ = press(&s, .char("d"))
        #expect(s.purgeDialog?.reason == "purged from the dashboard")
        #expect(screen(s).contains("reason     purged from the dashboard"))
        // Ctrl-U clears; typed letters (q, n, h, l too) go to the reason; Backspace edits.
        _ = press(&s, .ctrl("u"))
        type(&s, "INC-4711 queue hold")
        _ = press(&s, .backspace, .backspace, .backspace, .backspace)
        type(&s, "lock")
        #expect(s.purgeDialog?.reason == "INC-4711 queue lock" && s.purgeDialog?.purgeFocused == false)
        #expect(screen(s).contains("reason     INC-4711 queue lock"))
        let effects = press(&s, .tab, .enter)
        let order = try #require(effects.first.flatMap { if case .purge(let o) = $0 { return o } else { return nil } })
        #expect(order.reason == "INC-4711 queue lock")

        // An empty reason keeps the dialog and says so.
        _ = press(&s, .char("d"), .ctrl("u"), .tab)
        #expect(press(&s, .enter).isEmpty && s.purgeDialog != nil && s.notice?.isError == true)
    }
}
