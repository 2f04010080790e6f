import Foundation
import IdemCore
import IdemStore
import Testing

/// Live following in the real binary in tmux: at the top the table follows new tokens; once moved it stays and
/// says `▲ N new` until `g`. Build the binary first: `swift build --product idemtop`.
@Suite(.serialized) struct DashboardFollowEndToEndTests {
    func write(_ writer: JournalWriter, _ token: String) throws {
        let fp = Fingerprint(String(repeating: "a7", count: 32))
        if case .execute(let ticket, _) = try writer.begin(tenant: "acme", token: token, operation: "POST /v1/charges",
                                                            fingerprint: fp, request: nil) {
            try writer.complete(ticket, response: StoredResponse(status: 201, body: "{}"))
        }
    }

    /// The selected row's number, as the notice line gives it (`row 4 of 6`).
    func rowNumber(_ screen: String) -> Int? {
        guard let r = screen.range(of: #"row (\d+) of"#, options: .regularExpression) else { return nil }
        return Int(screen[r].split(separator: " ")[1])
    }

    @Test func theTableStaysPutOnceMovedAndCountsWhatIsNew() throws {
        guard DashboardTmux.prerequisites() else { return }
        let path = NSTemporaryDirectory() + "idemtop-e2e-\(getpid())-follow.jsonl"
        try? FileManager.default.removeItem(atPath: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try JournalWriter(path: path, clock: SystemClock(), create: true)
        for i in 0..<4 { try write(writer, "old-\(i)") }

        let t = DashboardTmux()
        defer { t.stop() }
        t.startIdemtop(["ui", path])
        t.waitFor(text: "4 tokens")
        t.waitFor(text: "row 1 of 4")
        t.send("j")
        t.waitFor(text: "row 2 of 4")
        try write(writer, "new-a")
        try write(writer, "new-b")
        let moved = t.waitFor("two new above") { $0.contains("▲ 2 new (g: top)") }
        // The selection stayed on its token: two rows further down.
        #expect(rowNumber(moved) == 4, "\(moved)")
        t.send("g")
        t.waitFor("following again") { !$0.contains("▲") && $0.contains("row 1 of 6") }
        try write(writer, "new-c")
        let top = t.waitFor("the newest on top") { $0.contains("7 tokens") && $0.contains("row 1 of 7") }
        #expect(!top.contains("▲"))
        t.send("q")
        t.waitFor(text: "EXITED 0")
    }
}
