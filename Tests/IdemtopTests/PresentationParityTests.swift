import Foundation
import IdemCore
import IdemUI
import Testing

/// The headless commands and the dashboard say the same thing about the same token: the expiry words, the status
/// order, and what is masked. An operator comparing `show` with the screen during an incident sees one answer.
@Suite struct PresentationParityTests {
    static let t0 = Instant(rfc3339: "2026-11-29T05:00:00Z") ?? Instant(ms: 0)

    /// A journal with an expired charge whose request holds a secret object, and a stuck token.
    func journal(_ dir: URL) throws -> (String, [StoreEvent]) {
        let fp = Fingerprint(String(repeating: "ab", count: 32))
        var charge = StoreEvent(kind: .request, at: PresentationParityTests.t0, tenant: "acme", token: "tok-exp",
                                operation: "POST /v1/charges", fingerprint: fp, outcome: .executed)
        charge.expiresAt = PresentationParityTests.t0 + .minutes(1)
        charge.lockedUntil = PresentationParityTests.t0 + .seconds(30)
        charge.request = StoredRequest(method: "POST", path: "/v1/charges", headers: ["Authorization": "Bearer sk_1"],
                                       body: #"{"amount":5,"password":{"old":"hunter2","new":"hunter3"}}"#)
        let done = StoreEvent(kind: .completed, at: PresentationParityTests.t0 + .seconds(1), tenant: "acme",
                              token: "tok-exp", responseStatus: 201)
        var stuck = StoreEvent(kind: .request, at: PresentationParityTests.t0 + .minutes(2), tenant: "acme",
                               token: "tok-stuck", operation: "POST /v1/charges", fingerprint: fp, outcome: .executed)
        stuck.expiresAt = PresentationParityTests.t0 + .hours(24)
        stuck.lockedUntil = PresentationParityTests.t0 + .minutes(2) + .seconds(30)
        let events = [charge, done, stuck]
        let path = dir.appendingPathComponent("p.jsonl").path
        try Data(events.flatMap { EventLineEncoder.encode($0) }).write(to: URL(fileURLWithPath: path))
        return (path, events)
    }

    @Test func listAndShowUseTheDashboardsWordsAndMasks() throws {
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (path, events) = try journal(dir)
        // 3m12s after the charge expired.
        let at = PresentationParityTests.t0 + .minutes(4) + .seconds(12)
        var ledger = Ledger()
        for e in events { ledger.apply(e) }
        let expired = try #require(ledger.record(TokenKey(tenant: "acme", token: "tok-exp")))
        let stuck = try #require(ledger.record(TokenKey(tenant: "acme", token: "tok-stuck")))
        let cells = [Format.expiresIn(expired, now: at), Format.expiresIn(stuck, now: at)]
        #expect(cells == ["expired 3m ago", "stuck 1m"])

        let list = try CLIRunner.run(["list", path, "--sort", "status", "--at", at.rfc3339])
        #expect(list.code == 0, "\(list.stderr)")
        let rows = list.stdout.split(separator: "\n").dropFirst()
        // Status order is the table's: what needs attention first (stuck before expired).
        #expect(rows.count == 2 && rows.first?.hasPrefix("stuck") == true && rows.last?.hasPrefix("expired") == true)
        #expect(rows.first?.contains(cells[1]) == true && rows.last?.contains(cells[0]) == true, "\(list.stdout)")

        let show = try CLIRunner.run(["show", path, "tok-exp", "--at", at.rfc3339])
        #expect(show.code == 0, "\(show.stderr)")
        #expect(show.stdout.contains(cells[0]), "\(show.stdout)")
        let content = DetailContent(key: TokenKey(tenant: "acme", token: "tok-exp"), request: events[0].request,
                                    response: nil, error: nil, timeline: events)
        let screen = DetailBuilder.lines(content, record: expired, ledger: ledger, now: at, secrets: .standard)
            .map { $0.map(\.text).joined() }.joined(separator: "\n")
        for output in [show.stdout, screen] {
            #expect(!output.contains("hunter") && !output.contains("sk_1"), "\(output)")
            #expect(output.contains("Bearer ****"), "\(output)")
        }
    }
}
