import Foundation
import Testing

/// The findings view in the real binary in a real terminal (tmux): a simulated journal with planted double charges,
/// `F` lists them, Enter lands on the token in the table. Build the binary first: `swift build --product idemtop`.
@Suite(.serialized) struct DashboardFindingsEndToEndTests {
    @Test func findingsViewListsADoubleChargeAndEnterLandsOnItsToken() throws {
        guard DashboardTmux.prerequisites() else { return }
        let path = NSTemporaryDirectory() + "idemtop-e2e-\(getpid())-findings.jsonl"
        try? FileManager.default.removeItem(atPath: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let sim = DashboardTmux.run(DashboardTmux.binary, ["simulate", path, "--events", "3000", "--seed", "5"])
        #expect(sim.status == 0, "simulate failed: \(sim.stderr)")

        let t = DashboardTmux()
        defer { t.stop() }
        t.startIdemtop([path])
        t.waitFor(text: "q quit")
        // The header counts the findings by kind once they are computed.
        t.waitFor(text: "double_charge ")

        t.send("F")
        // Wait for the whole view, pane included: a capture can land between the title and the rest of a frame.
        let screen = t.waitFor("the findings view with its evidence pane") {
            $0.contains("idemtop › findings") && $0.contains("jump to ")
        }
        #expect(screen.contains("double_charge_suspect"))
        #expect(screen.contains("AGE OF LIVE TOKENS"))
        #expect(screen.contains("REQ/S"))
        // The pane under the list names the token Enter jumps to (the first row is the most severe: a double charge).
        guard let pane = screen.split(separator: "\n").first(where: { $0.contains("jump to ") }),
              let r = pane.range(of: "jump to ")
        else {
            Issue.record("no evidence pane in:\n\(screen)")
            return
        }
        #expect(pane.contains("critical double_charge_suspect"))
        let token = pane[r.upperBound...].trimmingCharacters(in: .whitespaces)
        #expect(!token.isEmpty)

        // `l` jumps to the token (Enter on a double charge opens its tokens side by side).
        t.send("l")
        let table = t.waitFor("the table again") { $0.contains("STATUS") && !$0.contains("idemtop › findings") }
        // The selected row (bold, reverse or coloured background) holds the token; the detail opens on it.
        #expect(table.contains(String(token.prefix(10))))
        t.send("Enter")
        t.waitFor("the token's detail") { $0.contains(token) && $0.contains("── Request") }
        t.send("q")
        t.waitFor(text: "EXITED 0")
    }
}
