import Foundation
import IdemCore
import IdemStore
import IdemTestSupport
@testable import IdemRedis

/// A suite's redis-server, the real Powertools driving it (Fixtures/redis_driver.py in the shared venv), and the
/// ways to read it: the reader in this process, or the real `idemtop` binary.
struct RedisFixture {
    static let driver = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/redis_driver.py")
    let server: RedisServer
    /// `server` is one node of a Redis Cluster: the driver writes through redis-py's RedisCluster.
    var cluster = false
    /// The password the driver gives redis-py, when the server has one.
    var password: String?

    /// The store location, with `options` as its query.
    func url(_ options: String = "") -> String { server.url + (options.isEmpty ? "" : "?" + options) }

    /// Runs driver ops against the server.
    func drive(_ ops: [[String: Any]]) throws -> [[String: Any]] {
        var spec: [String: Any] = ["port": server.port, "cluster": cluster, "ops": ops]
        if let password { spec["password"] = password }
        return try PowertoolsVenv.drive(script: RedisFixture.driver, spec)
    }

    /// Starts a handler that hangs once its INPROGRESS record is saved; returns when it is.
    func startHanging(_ op: [String: Any]) throws -> Process {
        var op = op
        op["mode"] = "hang"
        let (process, out) = try PowertoolsVenv.start(script: RedisFixture.driver, ["port": server.port, "cluster": cluster,
                                                                               "ops": [op]])
        let line = String(decoding: out.readLineData(), as: UTF8.self)
        guard line.contains("hang") else {
            process.terminate()
            throw HarnessError("the handler did not start: '\(line)'")
        }
        return process
    }

    static func invoke(_ body: String, amount: Int = 10, mode: String = "ok", validation: Bool = true,
                       expiresAfter: Int = 3600, remainingMs: Int? = 60_000) -> [String: Any] {
        var op: [String: Any] = ["op": "invoke", "event": ["body": body, "amount": amount], "mode": mode,
                                 "event_key_jmespath": "body", "expires_after_seconds": expiresAfter,
                                 "remaining_ms": remainingMs as Any]
        if validation { op["payload_validation_jmespath"] = "amount" }
        return op
    }

    /// Powertools' own view of every record at `atMs`: key -> idemtop's status name.
    func powertoolsStatuses(atMs: Int64) throws -> [String: String] {
        guard let answer = try drive([["op": "inspect", "at_ms": atMs]]).first,
              let records = answer["records"] as? [[String: Any]] else { throw HarnessError("inspect printed nothing") }
        var statuses: [String: String] = [:]
        for r in records {
            guard let key = r["key"] as? String, let status = r["status"] as? String else { continue }
            switch status {
            case "EXPIRED": statuses[key] = "expired"
            case "COMPLETED": statuses[key] = "completed"
            default: statuses[key] = (r["takeover"] as? Bool ?? false) ? "stuck" : "in_progress"
            }
        }
        return statuses
    }

    /// idemtop's view through the real binary: `list --format json --at T`, as key -> status.
    func idemtopStatuses(atMs: Int64, options: String = "") throws -> [String: String] {
        let r = try IdemtopBinary.run(["list", url(options), "--format", "json", "--at", Instant(ms: atMs).rfc3339])
        guard r.code == 0 else { throw HarnessError("idemtop list failed (\(r.code)): \(r.err)") }
        guard let rows = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [[String: Any]] else {
            throw HarnessError("idemtop list printed no JSON array: \(r.out)")
        }
        var out: [String: String] = [:]
        for row in rows {
            guard let tenant = row["tenant"] as? String, let op = row["operation"] as? String,
                  let token = row["token"] as? String, let status = row["status"] as? String else { continue }
            out["\(tenant).\(op)#\(token)"] = status
        }
        return out
    }

    /// A reader in this process.
    func reader(_ options: String = "", clock: any Clock = SystemClock(), password: String? = nil) throws -> RedisReader {
        let location = try RedisDriver().location(forced: url(options))
        return try RedisReader(location: location, config: try RedisDriver.config(location), password: password,
                               clock: clock)
    }

    /// Polls `reader` until `done` holds for what it read, within `seconds`; every event and malformed entry read.
    @discardableResult
    static func poll(_ reader: RedisReader, seconds: Double = 30, into events: inout [StoreEvent],
                     malformed: inout [MalformedEntry], notices: inout [String],
                     until done: ([StoreEvent], [String]) -> Bool) throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            _ = try reader.poll(limit: 10_000, { events.append($0) }, malformed: { malformed.append($0) })
            notices += reader.drainNotices()
            if done(events, notices) { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return false
    }
}

extension FileHandle {
    /// Reads up to and without the next newline (or to EOF).
    func readLineData() -> Data {
        var line = Data()
        while true {
            let byte = readData(ofLength: 1)
            if byte.isEmpty || byte == Data([10]) { return line }
            line.append(byte)
        }
    }
}
