import IdemCore
import IdemUI
import Testing

/// A replay in flight: the panel waits without holding the screen, and the answer fills it or becomes a notice.
@Suite struct ReplayPanelTests: DrivesState {
    let target = "http://127.0.0.1:9999"

    let answer = ["replayed acme/x: POST http://127.0.0.1:9999/v1/charges in 3004 ms", "", "body: the same as the stored response",
                  "", "recorded: replay by ops@host -> 201"]

    @Test func inFlightPanelLetsKeysThroughAndTheAnswerFillsIt() throws {
        var s = Fixture.state(width: 120, height: 40)
        let key = try #require(s.selectedKey)
        #expect(replay(&s) == [.replay(key)])
        _ = s.update(.replayStarted(key, target: target, at: s.now))
        #expect(s.replayPanel?.inFlight == true && s.replaysInFlight == [key])
        #expect(screen(s).contains("replaying \(key.description) to \(target)… (0s)"), "\(screen(s))")

        // The clock ticks the elapsed time; the table still takes keys under the panel.
        _ = s.update(.tick(s.now + .seconds(2)))
        #expect(screen(s).contains("… (2s)"))
        let cursor = s.cursor
        #expect(press(&s, .char("j")).isEmpty)
        #expect(s.cursor == cursor + 1 && s.selectedKey != key && s.replayPanel?.inFlight == true)

        // A second r on the same token while it is in flight says so and sends nothing.
        _ = press(&s, .char("k"))
        #expect(s.selectedKey == key)
        #expect(press(&s, .char("r")).isEmpty)
        #expect(s.notice?.text.contains("already in flight") == true && s.notice?.isError == true)

        _ = s.update(.replayFinished(key, lines: answer, failed: false))
        #expect(s.replaysInFlight.isEmpty && s.replayPanel?.inFlight == false)
        let done = screen(s)
        #expect(done.contains("body: the same as the stored response") && done.contains("Esc close"), "\(done)")
        #expect(!done.contains("replaying "))
        // Answered, the panel is modal again until closed.
        #expect(press(&s, .char("j")).isEmpty && s.selectedKey == key)
        _ = press(&s, .escape)
        #expect(s.replayPanel == nil)
        #expect(replay(&s) == [.replay(key)], "a finished replay can be sent again")
    }

    @Test func answerAfterThePanelClosedIsANotice() throws {
        var s = Fixture.state(width: 120, height: 40)
        let key = try #require(s.selectedKey)
        _ = replay(&s)
        _ = s.update(.replayStarted(key, target: target, at: s.now))
        _ = press(&s, .escape)
        #expect(s.replayPanel == nil && s.replaysInFlight == [key], "Esc closes the panel; the replay goes on")
        _ = s.update(.replayFinished(key, lines: answer, failed: false))
        #expect(s.replayPanel == nil && s.replaysInFlight.isEmpty)
        #expect(s.notice?.text == "\(answer[0]); recorded: replay by ops@host -> 201" && s.notice?.isError == false)

        _ = replay(&s)
        _ = s.update(.replayStarted(key, target: target, at: s.now))
        _ = press(&s, .escape)
        _ = s.update(.replayFinished(key, lines: ["connection refused"], failed: true))
        #expect(s.notice?.isError == true && s.notice?.text.contains("failed: connection refused") == true)
    }

    @Test func anotherTokensAnswerDoesNotTakeOverThePanel() throws {
        var s = Fixture.state(width: 120, height: 40)
        let first = try #require(s.selectedKey)
        _ = replay(&s)
        _ = s.update(.replayStarted(first, target: target, at: s.now))
        _ = press(&s, .char("j"))
        let second = try #require(s.selectedKey)
        #expect(replay(&s) == [.replay(second)], "another token can be replayed meanwhile")
        _ = s.update(.replayStarted(second, target: target, at: s.now))
        #expect(s.replayPanel?.key == second && s.replaysInFlight == [first, second])
        _ = s.update(.replayFinished(first, lines: answer, failed: false))
        #expect(s.replayPanel?.key == second && s.replayPanel?.inFlight == true && s.notice != nil)
    }

    @Test func failureBeforeSendingOpensThePanel() throws {
        var s = Fixture.state(width: 120, height: 40)
        let key = try #require(s.selectedKey)
        _ = press(&s, .char("r"))
        _ = s.update(.replayFinished(key, lines: ["no replay target: start the dashboard with --target BASE_URL"],
                                     failed: true))
        #expect(s.replayPanel?.failed == true && screen(s).contains("Replay failed"))
    }
}
