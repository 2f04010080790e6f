import Foundation
import IdemCore
import IdemStore
import Testing

/// The CLI replay says what the service will most likely do, from the token's status, in its prompt and its JSON;
/// when the service would execute the request again, the prompt wants the word `replay` typed, not `y`.
@Suite(.serialized) struct ReplayPromptTests {
    /// A journal written two days ago: `old-1` completed (expired now), `new-1` completed an hour ago, `open-1` in
    /// progress now.
    func store(_ dir: URL) throws -> String {
        let path = dir.appendingPathComponent("p.jsonl").path
        let request = StoredRequest(method: "POST", path: "/v1/charges", headers: ["Content-Type": "application/json"],
                                    body: #"{"amount":1}"#)
        for (token, ago) in [("old-1", TimeSpan.hours(48)), ("new-1", .hours(1)), ("open-1", .seconds(1))] {
            let writer = try JournalWriter(path: path, clock: ManualClock(SystemClock().now() - ago), create: true)
            if case .execute(let ticket, _) = try writer.begin(tenant: "shop", token: token, operation: "POST /v1/charges",
                                                               fingerprint: Fingerprint(token), request: request),
               token != "open-1" {
                try writer.complete(ticket, response: StoredResponse(status: 201, body: "{}"))
            }
        }
        return path
    }

    @Test func jsonSaysWhatToExpect() throws {
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try store(dir)
        for (token, expect) in [("old-1", "executes"), ("new-1", "replayed"), ("open-1", "conflict")] {
            let r = try CLIRunner.run(["replay", path, token, "--target", "http://127.0.0.1:9", "--dry-run",
                                       "--format", "json"])
            #expect(r.code == 0, "\(r.stderr)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            #expect(object["expect"] as? String == expect, "\(token): \(r.stdout)")
        }
        let dry = try CLIRunner.run(["replay", path, "old-1", "--target", "http://127.0.0.1:9", "--dry-run"])
        #expect(dry.stdout.hasPrefix("# expect: the service will EXECUTE this request again (a new charge)\n"), "\(dry.stdout)")
    }

    @Test func theExecutingCaseWantsTheWordTyped() throws {
        guard DashboardTmux.prerequisites() else { return }
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try store(dir)
        let before = try ActionsCLITests.Snapshot(path)
        let t = DashboardTmux()
        defer { t.stop() }
        // A target nobody listens on: a wrongly accepted confirmation would fail to connect, not pass.
        t.startIdemtop(["replay", path, "old-1", "--target", "http://127.0.0.1:9"], width: 240)
        let prompt = t.waitFor(text: "Type replay to confirm:")
        #expect(prompt.contains("Expect: the service will EXECUTE this request again (a new charge)."), "\(prompt)")
        t.type("y")
        t.send("Enter")
        t.waitFor(text: "cancelled: nothing was done")
        t.waitFor(text: "EXITED 1")
        #expect(try ActionsCLITests.Snapshot(path) == before, "nothing sent, nothing recorded")

        let t2 = DashboardTmux()
        defer { t2.stop() }
        t2.startIdemtop(["replay", path, "new-1", "--target", "http://127.0.0.1:9"], width: 240)
        let plain = t2.waitFor(text: "Type y to confirm:")
        #expect(plain.contains("Expect: answered from the stored response, nothing runs again."), "\(plain)")
        t2.send("Enter")
        t2.waitFor(text: "EXITED 1")
    }
}
