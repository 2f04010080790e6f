import Foundation
import IdemApp
import IdemCore
import IdemFakes
import IdemStore
import IdemUI
import Testing

/// Keys during a `body:` scan of a big journal, run only with `IDEMTOP_PERF=1` (use `-c release`):
/// `IDEMTOP_PERF=1 swift test -c release --filter BodySearchResponsivenessTests`. A journal of 800 tokens whose
/// request bodies are 1 MiB each (about 840 MB): while the scan runs on its worker, each `t` is answered by the loop.
@Suite struct BodySearchResponsivenessTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["IDEMTOP_PERF"] == "1")) func keysAnswerDuringAScan() throws {
        let path = NSTemporaryDirectory() + "idemtop-bigbodies.jsonl"
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            let body = String(repeating: "0123456789abcdef", count: 65_536)
            for i in 0..<800 {
                var e = StoreEvent(kind: .request, at: TimeFixture.now + .seconds(Int64(i)), tenant: "acme", token: "big-\(i)",
                                   operation: "POST /v1/charges", outcome: .executed)
                e.request = StoredRequest(method: "POST", path: "/v1/charges", body: body)
                try h.write(contentsOf: Data((EventLineEncoder.line(e) + "\n").utf8))
            }
            try h.close()
        }
        let reader = try StoreRegistry.files.reader(JournalDriver.location(path))
        let ui = DashboardDriver(reader: reader, clock: ManualClock(TimeFixture.now), width: 120, height: 40)
        #expect(ui.pump())
        #expect(ui.state.ledger.count == 800)
        #expect(ui.type("/body:nowhere"))
        #expect(ui.press(.enter))
        #expect(ui.press(.escape))  // the table back, the search stopped
        #expect(ui.type("/body:nowhere"))
        ui.terminal.enqueue([.key(.enter)])
        _ = ui.settle(until: { !ui.state.bodySearch.pending.isEmpty })
        let scanStart = Date()
        var latencies: [Double] = []
        var progressLines = Set<String>()
        while !ui.state.bodySearch.pending.isEmpty, Date().timeIntervalSince(scanStart) < 120 {
            // `t` (absolute times) changes the state whatever the table shows (nothing matches until the answer).
            let before = ui.state.absoluteTimes
            let t0 = Date()
            ui.terminal.enqueue([.key(.char("t"))])
            _ = ui.settle(until: { ui.state.absoluteTimes != before })
            latencies.append(Date().timeIntervalSince(t0) * 1000)
            if let l = ui.state.bodySearch.statusLine { progressLines.insert(l) }
        }
        let scan = Date().timeIntervalSince(scanStart)
        latencies.sort()
        print(String(format: "PERF body: scan of %.0f MB with keys pressed throughout: %.2f s; %d keys answered, "
                     + "median %.2f ms, p99 %.2f ms, max %.2f ms; %d distinct progress lines",
                     Double((try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) / 1e6, scan,
                     latencies.count, latencies[latencies.count / 2], latencies[latencies.count * 99 / 100],
                     latencies.last ?? 0, progressLines.count))
        #expect(latencies.count > 10 && progressLines.count > 1)
    }
}
