import IdemCore
import IdemUI
import Testing

/// The purge dialog and the replay panel, key by key, and drawn.
@Suite struct ActionDialogTests: DrivesState {
    @Test func theDialogOpensOnCancelAndEnterThereDoesNothing() throws {
        var s = Fixture.state(width: 120, height: 40)
        let key = try #require(s.selectedKey)
        #expect(press(&s, .char("d")).isEmpty)
        let d = try #require(s.purgeDialog)
        #expect(d.key == key && !d.purgeFocused)
        let text = screen(s)
        #expect(text.contains("Purge this token?") && text.contains("[ Cancel ]"))
        #expect(text.contains("token      \(key.token)") && text.contains("tenant     \(key.tenant)"))
        for field in ["operation  ", "status     ", "age        ", "hits       ", "What will happen:"] {
            #expect(text.contains(field), "the dialog shows \(field)")
        }
        #expect(press(&s, .enter).isEmpty, "Enter on Cancel purges nothing")
        #expect(s.purgeDialog == nil && s.notice?.text == "purge cancelled")
        _ = press(&s, .char("d"))
        #expect(press(&s, .escape).isEmpty && s.purgeDialog == nil)
    }

    @Test func tabThenEnterAsksTheRunLoopToPurgeWhatWasShown() throws {
        var s = Fixture.state(width: 120, height: 40)
        let record = try #require(s.selected)
        _ = press(&s, .char("d"), .tab)
        #expect(s.purgeDialog?.purgeFocused == true && screen(s).contains("[ Purge ]"))
        let effects = press(&s, .enter)
        let order = try #require(effects.first.flatMap { if case .purge(let o) = $0 { return o } else { return nil } })
        #expect(order.version == Int(record.version) && order.stored == record.stored)
        #expect(order.status == record.status(at: s.now) && s.purgeDialog == nil)
        _ = s.update(.purgeFinished(order.key, refused: true, text: "refused: changed since you looked"))
        #expect(s.notice?.isError == true && s.notice?.text.hasPrefix("refused") == true)
    }

    @Test func commandsAndTheReplayPanel() throws {
        var s = Fixture.state(width: 120, height: 40)
        let key = try #require(s.selectedKey)
        _ = press(&s, .char(":"))
        for ch in "purge" { _ = s.update(.key(.char(ch))) }
        _ = press(&s, .enter)
        #expect(s.purgeDialog?.key == key)
        _ = press(&s, .escape)
        #expect(replay(&s) == [.replay(key)])
        _ = s.update(.replayFinished(key, lines: ["status  201  201", "- old", "+ new"], failed: false))
        #expect(screen(s).contains("+ new") && screen(s).contains("Esc close"))
        #expect(press(&s, .char("j")).isEmpty && s.replayPanel != nil, "keys go to the panel while it is up")
        _ = press(&s, .escape)
        #expect(s.replayPanel == nil)
    }

    /// `D` purges what the filter shows, once the operator types how many: never the whole table by accident.
    @Test func aBulkPurgeNeedsAFilterAndTheCountTyped() throws {
        var s = Fixture.state(width: 120, height: 40)
        #expect(press(&s, .char("D")).isEmpty && s.bulkPurge == nil)
        #expect(s.notice?.isError == true && s.notice?.text.contains("set a filter first") == true)

        // Every token of acme: the long token and order-77, which is purged already and left out.
        _ = s.setFilter("acme")
        #expect(press(&s, .char("D")).isEmpty)
        let d = try #require(s.bulkPurge)
        #expect(d.orders.map(\.key.token) == [Fixture.longToken])
        #expect(d.orders[0].status == .completed && d.orders[0].reason == "bulk purge from the dashboard (filter: acme)")
        let text = screen(s)
        #expect(text.contains("Purge 1 token?") && text.contains("filter     acme"), "\(text)")
        #expect(text.contains("completed: its stored response is forgotten"))
        #expect(text.contains("Type 1 and Enter to purge them; Esc cancels."))

        // A wrong count purges nothing and keeps the dialog; Backspace mends it; the right one purges.
        #expect(press(&s, .char("2"), .enter).isEmpty)
        #expect(s.bulkPurge != nil && s.notice?.text == "type 1 to purge 1 tokens, or Esc")
        _ = press(&s, .backspace, .char("x"), .char("1"))
        #expect(s.bulkPurge?.typed == "1")
        #expect(press(&s, .enter) == [.purgeMany(d.orders)])
        #expect(s.bulkPurge == nil && s.bulkPurgeRunning)
        #expect(press(&s, .char("D")).isEmpty && s.notice?.text == "a bulk purge is still running")
        _ = s.update(.purgeManyFinished(text: "purged 1 of 1 tokens by ops@host", failed: false))
        #expect(!s.bulkPurgeRunning && s.notice?.text == "purged 1 of 1 tokens by ops@host" && s.notice?.isError == false)

        // :purge-all is the same; Esc cancels. A filter that shows only purged tokens has nothing to purge.
        _ = press(&s, .char(":"))
        for ch in "purge-all" { _ = s.update(.key(.char(ch))) }
        _ = press(&s, .enter)
        #expect(s.bulkPurge != nil)
        _ = press(&s, .escape)
        #expect(s.bulkPurge == nil && s.notice?.text == "bulk purge cancelled")
        _ = s.setFilter("status:purged")
        #expect(press(&s, .char("D")).isEmpty && s.bulkPurge == nil)
        #expect(s.notice?.text.hasPrefix("nothing to purge") == true)
    }

    /// A store whose driver words its purge of stuck tokens otherwise (`purgeWordings`): the dialog asks that and
    /// says what will happen, the order carries it to the run loop, and the bulk dialog says it for the stuck
    /// tokens only; another store's tokens keep the standard wording.
    @Test func aStoresOwnPurgeWordingIsWhatTheDialogsSay() throws {
        var s = Fixture.state(width: 120, height: 40)
        s.purgeWordings = [0: [.stuck: Fixture.release]]
        try Fixture.selecting("order-1001", in: &s)
        _ = press(&s, .char("d"))
        #expect(s.purgeDialog?.status == .stuck && s.purgeDialog?.wording == Fixture.release)
        let text = screen(s)
        #expect(text.contains("Release the lock of this token?") && !text.contains("Purge this token?"), "\(text)")
        #expect(text.contains("What will happen: its lock is released and the row kept"), "\(text)")
        #expect(!text.contains(TokenStatus.stuck.purgeConsequence))
        #expect(text.contains("[ Cancel ]    Release") && !text.contains("Purge  "), "\(text)")
        _ = press(&s, .tab)
        #expect(screen(s).contains("Cancel    [ Release ]"))
        let effects = press(&s, .enter)
        #expect(effects.count == 1)
        guard case .purge(let order)? = effects.first else { Issue.record("no purge asked: \(effects)"); return }
        #expect(order.target.wording == Fixture.release && order.target.consequence == Fixture.release.consequence)

        // A completed token of the same store: the standard wording.
        try Fixture.selecting(Fixture.longToken, in: &s)
        _ = press(&s, .char("d"))
        #expect(s.purgeDialog?.wording == .standard(for: .completed) && screen(s).contains("Purge this token?"))
        _ = press(&s, .escape)

        _ = s.setFilter("op:charges")
        _ = press(&s, .char("D"))
        let bulk = screen(s)
        #expect(bulk.contains("stuck: its lock is released and the row kept"), "\(bulk)")
        #expect(bulk.contains("completed: its stored response is forgotten"), "\(bulk)")
        let orders = try #require(s.bulkPurge?.orders)
        #expect(orders.filter { $0.status == .stuck }.allSatisfy { $0.target.wording == Fixture.release })
        #expect(orders.filter { $0.status != .stuck }.allSatisfy { $0.target.wording.done == "purged" })
        _ = press(&s, .escape)

        // The same store number is all that counts: with the wording on store 1, store 0's stuck token is purged.
        s.purgeWordings = [1: [.stuck: Fixture.release]]
        try Fixture.selecting("order-1001", in: &s)
        _ = press(&s, .char("d"))
        #expect(s.purgeDialog?.wording == .standard(for: .stuck))
    }

    /// On the smallest terminal the dialogs lose lines from the middle, never their buttons or the typed count.
    @Test func onASmallTerminalTheButtonsAndThePromptStay() throws {
        var s = Fixture.state(width: 60, height: 15)
        _ = press(&s, .char("d"))
        let one = screen(s)
        #expect(one.contains("[ Cancel ]") && one.contains("Purge this token?"), "\(one)")
        _ = press(&s, .escape)
        _ = s.setFilter("op:charges")
        _ = press(&s, .char("D"), .char("4"))
        let bulk = screen(s)
        #expect(bulk.contains("> 4_") && bulk.contains("Type 4 and Enter"), "\(bulk)")
    }
}
