import Foundation
import IdemCore
import IdemProcess
import IdemStore
import Testing

/// Two real writer processes racing on the same tokens: each token executes exactly once.
///
/// The file does not exist when they start: both open it with `create: true`, so they race on creating the schema too.
///
/// The second process is this test binary run again (`/proc/self/exe`) with `--filter` naming `raceChildWorker`,
/// which does its work only when `IDEMTOP_SQLITE_RACE_CHILD=1` is set.
@Suite struct SQLiteRaceTests {
    typealias T = SQLiteTestSupport
    static let tokens = 150

    @Test
    func twoProcessesRacingExecuteEachTokenOnce() throws {
        let dir = try T.tempDir()
        let path = dir + "/race.db"
        let binary = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        // Both children start their loops at the same wall-clock instant, after both have launched.
        let start = Date().timeIntervalSince1970 + 1.5
        var children: [RunningChild] = []
        for n in 0..<2 {
            var env = ProcessInfo.processInfo.environment
            env["IDEMTOP_SQLITE_RACE_CHILD"] = "1"
            env["IDEMTOP_SQLITE_RACE_PATH"] = path
            env["IDEMTOP_SQLITE_RACE_OUT"] = dir + "/child\(n).txt"
            env["IDEMTOP_SQLITE_RACE_START"] = String(start)
            children.append(try RunningChild(
                binary, ["--testing-library", "swift-testing", "--filter", "SQLiteRaceTests/raceChildWorker"],
                environment: env, stdout: .discard, stderr: .discard))
        }
        for p in children { #expect(T.wait(p, timeout: 120), "a child hung") }
        #expect(children.map(\.exitCode) == [0, 0])

        var executedBy: [String: [Int]] = [:]
        var outcomes: [String: Int] = [:]
        for n in 0..<2 {
            let text = try String(contentsOfFile: dir + "/child\(n).txt", encoding: .utf8)
            let lines = text.split(separator: "\n")
            #expect(lines.count == Self.tokens, "child \(n) finished every token")
            for line in lines {
                let parts = line.split(separator: " ").map(String.init)
                guard parts.count == 2 else { continue }
                outcomes[parts[0], default: 0] += 1
                if parts[0] == "executed" { executedBy[parts[1], default: []].append(n) }
            }
        }
        #expect(executedBy.count == Self.tokens)
        #expect(executedBy.values.allSatisfy { $0.count == 1 })

        let (events, malformed) = try T.allEvents(path)
        #expect(malformed.isEmpty)
        var executions: [String: Int] = [:]
        for e in events where e.kind == .request && e.outcome?.executes == true { executions[e.token, default: 0] += 1 }
        #expect(executions.count == Self.tokens && executions.values.allSatisfy { $0 == 1 })
        #expect(events.filter { $0.kind == .request }.count == 2 * Self.tokens)
        let rows = try T.tokenRows(path)
        #expect(rows.count == Self.tokens)
        #expect(rows.values.allSatisfy { $0.0 == "completed" && $0.2 == 1 && $0.1 == 3 })
        let split = (0..<2).map { n in executedBy.values.filter { $0 == [n] }.count }
        let tally = outcomes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        print("SQLite race: \(Self.tokens) tokens, 2 processes: executions split \(split); outcomes: \(tally)")
    }

    /// The child half of the race: does nothing unless run by `twoProcessesRacingExecuteEachTokenOnce`.
    @Test func raceChildWorker() throws {
        let env = ProcessInfo.processInfo.environment
        guard env["IDEMTOP_SQLITE_RACE_CHILD"] == "1", let path = env["IDEMTOP_SQLITE_RACE_PATH"],
              let out = env["IDEMTOP_SQLITE_RACE_OUT"] else { return }
        if let start = env["IDEMTOP_SQLITE_RACE_START"].flatMap(Double.init) {
            let wait = start - Date().timeIntervalSince1970
            if wait > 0 { Thread.sleep(forTimeInterval: wait) }
        }
        let writer = try SQLiteWriter(path: path, create: true)
        var lines = ""
        for i in 0..<Self.tokens {
            let token = "r\(i)"
            let body = "{\"amount\":\(i)}"
            let fp = Fingerprint.of(method: "POST", path: "/v1/charges", body: body)
            let result = try writer.begin(tenant: "race", token: token, operation: "POST /v1/charges", fingerprint: fp,
                                          request: StoredRequest(method: "POST", path: "/v1/charges", body: body))
            if case .execute(let ticket, _) = result {
                Thread.sleep(forTimeInterval: Double(i % 3) / 1000)
                try writer.complete(ticket, response: StoredResponse(status: 201, body: token))
            }
            lines += "\(result.outcome.rawValue) \(token)\n"
        }
        try lines.write(toFile: out, atomically: true, encoding: .utf8)
    }
}
