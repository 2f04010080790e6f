import Foundation
import IdemTestSupport
import IdemCore
import IdemStore
import Testing
@testable import IdemDynamo

/// One table on the shared moto server, the Powertools options its records are written with, and ways to read it:
/// the reader in-process, or the real `idemtop` binary.
struct DynamoFixture {
    static let credentials = ["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                              "AWS_REGION": "us-east-1"]
    let server: MotoServer
    let table: String
    /// Powertools' layout options, passed to every invoke (`sort_key_attr`, `attrs`, ...).
    var layout: [String: Any] = [:]
    /// The same options as store-URL query items.
    var urlOptions: String = ""

    init(table: String, layout: [String: Any] = [:], urlOptions: String = "", keyAttr: String = "id",
         sortKeyAttr: String? = nil, stream: String? = nil) throws {
        server = try MotoServer.shared()
        self.table = "\(table)-\(UUID().uuidString.prefix(6))"
        self.layout = layout
        self.urlOptions = urlOptions
        var create: [String: Any] = ["op": "create_table", "key_attr": keyAttr]
        if let sortKeyAttr { create["sort_key_attr"] = sortKeyAttr }
        if let stream { create["stream"] = stream }
        _ = try drive([create])
    }

    /// The store URL, with `extra` query items appended.
    func url(_ extra: String = "") -> String {
        var s = "dynamodb://\(table)?region=us-east-1&endpoint=\(server.endpoint)"
        if !urlOptions.isEmpty { s += "&" + urlOptions }
        if !extra.isEmpty { s += "&" + extra }
        return s
    }

    /// Runs driver ops (invokes get the layout options merged in).
    func drive(_ ops: [[String: Any]]) throws -> [[String: Any]] {
        try PowertoolsVenv.drive(["endpoint": server.endpoint, "table": table, "ops": ops.map(withLayout)])
    }

    func withLayout(_ op: [String: Any]) -> [String: Any] {
        guard op["op"] as? String == "invoke" || op["op"] as? String == "inspect" else { return op }
        return op.merging(layout) { mine, _ in mine }
    }

    /// An invoke op for `event`.
    static func invoke(_ event: [String: Any], mode: String = "ok", key: String = "body", validation: String? = "amount",
                       expiresAfter: Int = 3600, remainingMs: Int = 60_000, sleep: Double? = nil) -> [String: Any] {
        var op: [String: Any] = ["op": "invoke", "event": event, "mode": mode, "event_key_jmespath": key,
                                 "expires_after_seconds": expiresAfter, "remaining_ms": remainingMs]
        if let validation { op["payload_validation_jmespath"] = validation }
        if let sleep { op["sleep"] = sleep }
        return op
    }

    /// Starts an invoke that does not return by itself; waits for the line saying the record is INPROGRESS.
    func startHanging(_ op: [String: Any]) throws -> Process {
        let (process, out) = try PowertoolsVenv.start(["endpoint": server.endpoint, "table": table, "ops": [withLayout(op)]])
        let line = String(decoding: out.readLine(), as: UTF8.self)
        guard line.contains("hang") || line.contains("started") else {
            process.terminate()
            throw HarnessError("the handler did not start: '\(line)'")
        }
        return process
    }

    /// Powertools' own view of every record at `atMs` (now when nil): key -> idemtop's status name.
    func powertoolsStatuses(atMs: Int64? = nil) throws -> (nowMs: Int64, statuses: [String: String]) {
        var op: [String: Any] = ["op": "inspect"]
        if let atMs { op["at_ms"] = atMs }
        guard let answer = try drive([op]).first, let now = (answer["now_ms"] as? NSNumber)?.int64Value,
              let records = answer["records"] as? [[String: Any]] else { throw HarnessError("inspect printed nothing") }
        var statuses: [String: String] = [:]
        for r in records {
            guard let key = r["key"] as? String, let status = r["status"] as? String else { continue }
            let takeover = r["takeover"] as? Bool ?? false
            switch status {
            case "EXPIRED": statuses[key] = "expired"
            case "COMPLETED": statuses[key] = "completed"
            default: statuses[key] = takeover ? "stuck" : "in_progress"
            }
        }
        return (now, statuses)
    }

    /// idemtop's view, through the real binary: `list --format json --at T`, as key -> status.
    func idemtopStatuses(atMs: Int64, extra: String = "") throws -> [String: String] {
        let r = try IdemtopBinary.run(["list", url(extra), "--format", "json", "--at", Instant(ms: atMs).rfc3339])
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

    /// A reader over the table in this process.
    func reader(_ extra: String = "", clock: any Clock = SystemClock()) throws -> DynamoReader {
        let location = try StoreRegistry.files.adding(DynamoDriver()).location(parsing: url(extra))
        let config = try DynamoTableConfig(url: location.path)
        let table = try DynamoTable(config: config, clock: clock, environment: DynamoFixture.credentials)
        return DynamoReader(location: location, table: table, clock: clock)
    }

    /// The raw records as Powertools wrote them.
    func records(_ extra: String = "") throws -> [PowertoolsRecord] {
        let r = try reader(extra)
        return try r.table.scanAll().map { try PowertoolsRecord(item: $0, config: r.table.config) }
    }
}

extension FileHandle {
    /// Reads up to and without the next newline (or to EOF).
    func readLine() -> Data {
        var line = Data()
        while true {
            let byte = readData(ofLength: 1)
            if byte.isEmpty || byte == Data([10]) { return line }
            line.append(byte)
        }
    }
}

/// Runs the built `idemtop` binary (IdemTestSupport's) with dummy AWS credentials.
enum IdemtopBinary {
    static var path: String { IdemTestSupport.IdemtopBinary.path }

    static func run(_ args: [String], environment: [String: String] = DynamoFixture.credentials)
        throws -> (code: Int32, out: String, err: String) {
        try IdemTestSupport.IdemtopBinary.run(args, environment: environment)
    }
}
