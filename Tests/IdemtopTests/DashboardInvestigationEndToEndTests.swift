import Foundation
import Testing

/// The on-call scenario of issue 11 in the real binary in tmux: "tenant umbrella says they were charged twice" on a
/// simulated journal with planted double charges; from the loaded dashboard to the tokens side by side with the
/// verdict in words, in at most 15 keys. Build the binary first: `swift build --product idemtop`.
@Suite(.serialized) struct DashboardInvestigationEndToEndTests {
    /// Counts what the engineer presses: a key is one key (`F`, Enter, an arrow); a typed filter line counts as
    /// one key per term typed (the characters of a term are not counted one by one).
    final class Keys {
        var count = 0
        let t: DashboardTmux
        init(_ t: DashboardTmux) { self.t = t }
        func press(_ key: String) {
            count += 1
            t.send(key)
        }
        func type(_ line: String) {
            count += line.split(separator: " ").count
            t.type(line)
        }
    }

    @Test func aPlantedDoubleChargeIsFoundFromItsTenantAndShownSideBySide() throws {
        guard DashboardTmux.prerequisites() else { return }
        let path = NSTemporaryDirectory() + "idemtop-e2e-\(getpid())-investigation.jsonl"
        try? FileManager.default.removeItem(atPath: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let sim = DashboardTmux.run(DashboardTmux.binary, ["simulate", path, "--events", "3000", "--seed", "5"])
        #expect(sim.status == 0, "simulate failed: \(sim.stderr)")
        // What the customer's complaint points at: the newest double charge of one tenant, as the audit lists it.
        let audit = DashboardTmux.run(DashboardTmux.binary, ["audit", path, "--format", "json"])
        let all = (try? JSONSerialization.jsonObject(with: Data(audit.stdout.utf8))) as? [[String: Any]] ?? []
        let planted = all.filter { $0["kind"] as? String == "double_charge_suspect" && $0["tenant"] as? String == "umbrella" }
            .max { ($0["last_seen"] as? String ?? "") < ($1["last_seen"] as? String ?? "") }
        guard let planted, let tokens = planted["tokens"] as? [String], tokens.count >= 2 else {
            Issue.record("the simulation planted no double charge in tenant umbrella: \(audit.stdout.prefix(300))")
            return
        }

        let t = DashboardTmux()
        defer { t.stop() }
        t.startIdemtop([path])
        // Loaded: the header counts the findings by kind once the store is read.
        t.waitFor(text: "q quit")
        t.waitFor(text: "double_charge ", seconds: 30)

        let keys = Keys(t)
        keys.press("F")
        t.waitFor(text: "idemtop › findings")
        keys.press("/")
        // The complaint's tenant and time ("around HH:MM"): a window of a few minutes around the planted charge's
        // first execution, typed as a person would, HH:MM (UTC, the latest such time in the store).
        guard let firstSeen = (planted["first_seen"] as? String).flatMap(Self.minuteOfDay) else {
            Issue.record("no first_seen in the planted finding: \(planted)")
            return
        }
        let window = "at:\(Self.clock(firstSeen - 2))..\(Self.clock(firstSeen + 3))"
        keys.type("tenant:umbrella kind:double " + window)
        keys.press("Enter")
        let list = t.waitFor("the umbrella double charges around the time") {
            $0.contains("filter tenant:umbrella kind:double \(window)")
        }
        let rows = list.split(separator: "\n").filter { ($0.hasPrefix("critical ") || $0.hasPrefix("high ")) && $0.contains("double_charge") }
        #expect(!rows.isEmpty && rows.allSatisfy { $0.contains("umbrella") }, "not umbrella's:\n\(list)")
        // Newest first: the one the customer calls about is on top.
        keys.press("s")
        t.waitFor(text: "LAST▼")
        keys.press("Enter")
        let side = t.waitFor("the tokens side by side with the verdict") {
            $0.contains("tokens side by side") && $0.contains("per retry") && $0.contains("── timeline")
        }
        for token in tokens.prefix(2) { #expect(side.contains(String(token.prefix(20))), "\(token) not in:\n\(side)") }
        #expect(side.contains("The client made a new token per retry"), "no verdict in:\n\(side)")
        #expect(side.contains("── request") && side.contains("POST /v1/"))
        #expect(keys.count <= 15, "\(keys.count) keys")

        // The second token, in full.
        keys.press("Right")
        keys.press("Enter")
        t.waitFor("the second token's detail") { $0.contains(tokens[1]) && $0.contains("── Request") }
        keys.press("Escape")
        t.waitFor(text: "tokens side by side")
        #expect(keys.count <= 15, "\(keys.count) keys")
        t.send("q")
        t.waitFor(text: "EXITED 0")
    }

    /// The minute of the day (UTC) of an RFC 3339 time, e.g. 434 for `2026-11-29T07:14:05.120Z`.
    static func minuteOfDay(_ rfc3339: String) -> Int? {
        let parts = rfc3339.split(separator: "T")
        guard parts.count == 2 else { return nil }
        let hm = parts[1].split(separator: ":")
        guard hm.count >= 2, let h = Int(hm[0]), let m = Int(hm[1]) else { return nil }
        return h * 60 + m
    }

    /// `HH:MM` for a minute of the day, wrapping around midnight.
    static func clock(_ minute: Int) -> String {
        let m = ((minute % 1440) + 1440) % 1440
        return String(format: "%02d:%02d", m / 60, m % 60)
    }

    @Test func marksAreExportedWithTheListColumns() throws {
        guard DashboardTmux.prerequisites() else { return }
        let base = NSTemporaryDirectory() + "idemtop-e2e-\(getpid())-marks"
        let path = base + ".jsonl", csv = base + ".csv"
        for p in [path, csv] { try? FileManager.default.removeItem(atPath: p) }
        defer { for p in [path, csv] { try? FileManager.default.removeItem(atPath: p) } }
        let sim = DashboardTmux.run(DashboardTmux.binary, ["simulate", path, "--events", "600", "--seed", "9"])
        #expect(sim.status == 0, "simulate failed: \(sim.stderr)")

        let t = DashboardTmux()
        defer { t.stop() }
        t.startIdemtop([path])
        t.waitFor(text: "q quit")
        t.send("/")
        t.type("tenant:acme")
        t.send("Enter")
        t.waitFor(text: "filter tenant:acme")
        // Two rows marked: the marker column and the count.
        t.send("Space")
        t.send("Space")
        let marked = t.waitFor(text: "2 marked")
        let rows = marked.split(separator: "\n").filter { $0.hasPrefix("● ") }
        #expect(rows.count == 2, "\(marked)")
        t.send(":")
        t.type("export " + csv)
        t.send("Enter")
        t.waitFor(text: "exported 2 tokens to")
        let text = try String(contentsOfFile: csv, encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.first?.hasPrefix("status,tenant,token,operation,created_at") == true)
        #expect(lines.count == 3 && lines.dropFirst().allSatisfy { $0.contains(",acme,") }, "\(text)")
        for row in rows {
            // The token column of the marked rows (elided in the middle on screen): its head is in the file.
            let cells = row.dropFirst(2).split(separator: " ", omittingEmptySubsequences: true)
            if cells.count > 2 { #expect(text.contains(String(cells[2].prefix(6))), "\(cells[2]) not in \(text)") }
        }
        t.send("q")
        t.waitFor(text: "EXITED 0")
    }
}
