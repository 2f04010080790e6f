import Foundation
import IdemCore
import IdemFakes
import Testing

/// The real binary in tmux: `ui --at` opens the store as it stood then, `:at now` goes live, the histogram opens
/// and Enter on a bar filters the table by its window, `body:` finds a token by its body.
@Suite(.serialized) struct DashboardTimeEndToEndTests {
    @Test func atThenLiveThenHistogramThenBody() throws {
        guard DashboardTmux.prerequisites() else { return }
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("time.jsonl").path
        try TimeFixture.writeJournal(path)

        let t = DashboardTmux()
        defer { t.stop() }
        t.startIdemtop(["ui", path, "--at", "2026-11-28T07:14:00.500Z"])
        let asOf = t.waitFor("the store as of 07:14", seconds: 30) { $0.contains("as of 07:14:00Z") && $0.contains("3 tokens") }
        #expect(asOf.contains("t-start") && !asOf.contains("t-night"))
        #expect(!asOf.contains("● live"))

        t.type(":at now")
        t.send("Enter")
        let live = t.waitFor("live again", seconds: 30) { $0.contains("● live") && $0.contains("6 tokens") }
        #expect(live.contains("t-night"))

        // The histogram at 10-minute bars: G to the newest (00:00), Enter filters by its window.
        t.type("i")
        t.waitFor(text: "requests per minute", seconds: 30)
        t.type("Z")
        t.waitFor(text: "requests per 10 minutes", seconds: 30)
        t.type("G")
        t.send("Enter")
        let filtered = t.waitFor("the bar's window in the filter", seconds: 30) {
            $0.contains("at:2026-11-29T00:00:00Z..2026-11-29T00:10:00Z") && $0.contains("1 of 6 tokens")
        }
        #expect(filtered.contains("t-morning"))

        t.send("Escape")
        t.type("/body:ord-night")
        t.send("Enter")
        // (The tail below the table still shows every event.)
        t.waitFor("the body search's answer", seconds: 30) { $0.contains("1 of 6 tokens") && $0.contains("t-night") }
        t.type("q")
    }
}
