import IdemCore
import IdemUI
import Testing

/// The purge dialog and the replay panel, key by key, and drawn.
@Suite struct ActionDialogTests {
    func press(_ s: inout AppState, _ keys: Key...) -> [Effect] {
        var out: [Effect] = []
        for k in keys { out += s.update(.key(k)) }
        return out
    }

    func screen(_ s: AppState) -> String {
        var grid = Grid(width: 0, height: 0)
        render(s, theme: BuiltinThemes.standard, into: &grid)
        return (0..<grid.height).map { grid.line($0) }.joined(separator: "\n")
    }

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
        #expect(press(&s, .char("r")) == [.replay(key)])
        _ = s.update(.replayFinished(key, lines: ["status  201  201", "- old", "+ new"], failed: false))
        #expect(screen(s).contains("+ new") && screen(s).contains("Esc close"))
        #expect(press(&s, .char("j")).isEmpty && s.replayPanel != nil, "keys go to the panel while it is up")
        _ = press(&s, .escape)
        #expect(s.replayPanel == nil)
    }
}
