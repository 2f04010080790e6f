import Foundation
import IdemApp
import IdemCore
import IdemFakes
import IdemUI
import Testing

/// `:export` through the real run loop: the file is written on a worker with `list`'s columns and escaping.
@Suite struct ExportTests {
    static func store() throws -> (MemoryStore, FixedClock) {
        let clock = FixedClock("2026-11-29T06:00:00Z")
        let store = MemoryStore(clock: clock, name: "payments.jsonl")
        let fp = Fingerprint(String(repeating: "e5", count: 32))
        // A token a spreadsheet would run as a formula, one with an escape sequence, and a plain one.
        for token in ["=HYPERLINK(\"http://x\")", "evil\u{1b}[31mred", "tok-plain"] {
            guard case .execute(let ticket, _) = try store.begin(tenant: "acme", token: token,
                                                                 operation: "POST /v1/charges", fingerprint: fp,
                                                                 request: nil)
            else { throw ExportError("no execution") }
            clock.advance(.seconds(1))
            try store.complete(ticket, response: StoredResponse(status: 201, body: "{}"))
        }
        return (store, clock)
    }

    func exported(_ path: String, marks: Int) throws -> String {
        let (store, clock) = try Self.store()
        let ui = DashboardDriver(reader: store, clock: clock, width: 120, height: 40)
        ui.pump()
        for _ in 0..<marks { ui.press(.char(" ")) }
        ui.press(.char(":"))
        ui.type("export " + path)
        ui.press(.enter)
        #expect(ui.settle { FileManager.default.fileExists(atPath: path) && ui.state.notice?.text.hasPrefix("exported") == true })
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    @Test func csvOfTheFilterHasTheListColumnsAndItsEscaping() throws {
        let path = NSTemporaryDirectory() + "idemtop-export-\(getpid()).csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let csv = try exported(path, marks: 0)
        let lines = csv.split(separator: "\n").map(String.init)
        #expect(lines.first == "status,tenant,token,operation,created_at,updated_at,expires_at,expires_in_s,last_seen,"
            + "hits,mismatches,conflicts,fingerprint,response_status")
        #expect(lines.count == 4)
        #expect(lines.contains { $0.contains(#""'=HYPERLINK(""http://x"")""#) }, "\(csv)")
        #expect(lines.contains { $0.contains(#"evil\x1b[31mred"#) } && !csv.contains("\u{1b}"))
    }

    @Test func jsonOfTheMarks() throws {
        let path = NSTemporaryDirectory() + "idemtop-export-\(getpid()).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let json = try exported(path, marks: 2)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        #expect(rows.count == 2)
        #expect(rows.allSatisfy { $0["status"] as? String == "completed" && $0["created_at"] != nil })
    }

    @Test func aFileThatCannotBeWrittenSaysSo() throws {
        let (store, clock) = try Self.store()
        let ui = DashboardDriver(reader: store, clock: clock, width: 120, height: 40)
        ui.pump()
        ui.press(.char(":"))
        ui.type("export /nonexistent-dir/x.csv")
        ui.press(.enter)
        #expect(ui.settle { ui.state.notice?.isError == true })
        #expect(ui.state.notice?.text.hasPrefix("export: could not write /nonexistent-dir/x.csv") == true)
    }
}
