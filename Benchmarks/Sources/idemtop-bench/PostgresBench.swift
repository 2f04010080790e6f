import Foundation
import IdemCore
import IdemPostgres
import IdemStore

/// `idemtop-bench postgres [--rows 1000000] [--url postgres://...]`: reads a rocket-rides `idempotency_keys` table
/// of N rows through idemtop's Postgres reader into a ledger (rows/s, peak RSS), then the same columns with
/// `psql -c "\copy (select ...) to stdout"`, in one run.
///
/// Without `--url` it makes a throwaway PostgreSQL 15 cluster in a temporary folder (as `nobody` when run as
/// root), fills it with `generate_series`, and removes it at the end.
enum PostgresBench {
    static let bin = "/usr/lib/postgresql/15/bin"

    static func run(rows: Int, url given: String?, ledger useLedger: Bool = true) {
        // One malloc arena, as the idemtop binary sets it (main.swift).
        _ = benchMallopt(-8, 1)
        var cluster: (dir: String, server: Process)?
        let url: String
        if let given {
            url = given
        } else {
            let made = makeCluster()
            cluster = (made.dir, made.server)
            url = "postgres://idem@127.0.0.1:\(made.port)/postgres"
        }
        defer { if let cluster { stopCluster(cluster.dir, cluster.server) } }
        let base = url.components(separatedBy: "?")[0]
        guard let admin = try? PGConnection(conninfo: base) else { fail("cannot connect to \(base)") }
        print("postgres: filling idempotency_keys with \(rows) rocket-rides rows")
        do {
            try fill(admin, rows: rows)
        } catch {
            fail("fill failed: \(error)")
        }
        let location = StoreLocation(kind: "postgres", path: base + "?table=idempotency_keys&preset=rocket-rides",
                                     displayName: "idempotency_keys")
        // The same columns as the reader's select list, as text.
        let select = "select id::text, idempotency_key, user_id::text, created_at, locked_at, null::int8, last_run_at, "
            + "recovery_point, response_code::int8, null, request_method, request_path, "
            + "jsonb_hash_extended(request_params, 0), xmin from idempotency_keys"
        let psql = ["/usr/bin/psql", "-X", "-q", base, "-c", "\\copy (\(select)) to stdout"]
        let postmaster = cluster.map { postmasterPID($0.dir) } ?? 0
        // psql and idemtop alternate (psql first: both then read a warm table), `--rounds` times.
        let rounds = CommandLine.arguments.firstIndex(of: "--rounds").flatMap {
            CommandLine.arguments.indices.contains($0 + 1) ? Int(CommandLine.arguments[$0 + 1]) : nil } ?? 2
        print(String(format: "postgres: before reading: RSS %.0f MiB, peak %.0f MiB", currentRSSMiB(), peakRSSMiB()))
        for round in 1...max(1, rounds) {
            let server0 = childCPU(postmaster)
            guard let (psqlSeconds, out, code) = try? runDiscarding(psql), code == 0 else {
                fail("psql \\copy failed")
            }
            let psqlServer = waitChildCPU(postmaster, after: server0)
            print(String(format: "round %d: psql \\copy: %d rows in %.2f s = %.0f rows/s (%.0f MB of text), server cpu %.2f s; load %@",
                         round, rows, psqlSeconds, Double(rows) / psqlSeconds, Double(out) / 1e6, psqlServer, loadAverage()))
            let cpu0 = cpuSeconds(), t0 = monotonicNanos()
            var ledger = Ledger()
            var read = 0
            var serverCPU = 0.0
            do {
                let reader = try PostgresReader(location: location)
                if useLedger { ledger.reserveCapacity(tokens: reader.expectedTokens) }
                // As ReadAhead takes a BatchReader's events: whole arrays.
                while true {
                    let batch = try reader.pollBatch(limit: 100_000, malformed: { ledger.noteMalformed($0) })
                    if batch.isEmpty { break }
                    if useLedger { for e in batch { ledger.apply(e) } }
                    read += batch.count
                }
                serverCPU = processCPU(reader.table.connection.backendPID)
            } catch {
                fail("read failed: \(error)")
            }
            let seconds = Double(monotonicNanos() - t0) / 1e9
            let cpu = cpuSeconds() - cpu0
            print(String(format: "round %d: idemtop: %d rows (%d events, %d records, %d malformed) in %.2f s = %.0f rows/s, cpu %.2f s (user+sys), server cpu %.2f s, peak RSS %.0f MiB; load %@",
                         round, rows, read, ledger.records.count, ledger.malformedCount, seconds, Double(rows) / seconds, cpu,
                         serverCPU, peakRSSMiB(), loadAverage()))
            print(String(format: "round %d: idemtop/psql time %.2fx", round, seconds / psqlSeconds))
        }
    }

    /// The postmaster's pid (the first line of postmaster.pid).
    static func postmasterPID(_ dir: String) -> Int32 {
        let text = (try? String(contentsOfFile: dir + "/data/postmaster.pid", encoding: .utf8)) ?? ""
        return Int32(text.split(separator: "\n").first ?? "") ?? 0
    }

    /// Fields of /proc/PID/stat after the command name.
    static func stat(_ pid: Int32) -> [Double] {
        guard pid > 0, let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return [] }
        return text[text.index(after: close)...].split(separator: " ").map { Double($0) ?? 0 }
    }

    /// A process' own CPU (utime + stime) in seconds.
    static func processCPU(_ pid: Int32) -> Double {
        let f = stat(pid)
        return f.count > 12 ? (f[11] + f[12]) / Double(sysconf(Int32(_SC_CLK_TCK))) : -1
    }

    /// The CPU of a process' ended and reaped children (cutime + cstime): the server backends that exited.
    static func childCPU(_ pid: Int32) -> Double {
        let f = stat(pid)
        return f.count > 14 ? (f[13] + f[14]) / Double(sysconf(Int32(_SC_CLK_TCK))) : -1
    }

    /// The children's CPU added since `before`, once the ended backend is reaped (up to 3 s).
    static func waitChildCPU(_ pid: Int32, after before: Double) -> Double {
        let deadline = monotonicNanos() + 3_000_000_000
        var now = childCPU(pid)
        while now == before, monotonicNanos() < deadline {
            usleep(20_000)
            now = childCPU(pid)
        }
        return now - before
    }

    /// Rows shaped as rocket-rides writes them: nine in ten finished (201, a response body), one in ten locked
    /// at `ride_created`; 1000 users.
    static func fill(_ c: PGConnection, rows: Int) throws {
        try c.query("DROP TABLE IF EXISTS idempotency_keys, users")
        try c.query("CREATE TABLE users (id BIGSERIAL PRIMARY KEY, email TEXT NOT NULL UNIQUE, stripe_customer_id TEXT NOT NULL UNIQUE)")
        try c.query("""
            CREATE TABLE idempotency_keys (id BIGSERIAL PRIMARY KEY, created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
              idempotency_key TEXT NOT NULL, last_run_at TIMESTAMPTZ NOT NULL DEFAULT now(),
              locked_at TIMESTAMPTZ DEFAULT now(), request_method TEXT NOT NULL, request_params JSONB NOT NULL,
              request_path TEXT NOT NULL, response_code INT NULL, response_body JSONB NULL,
              recovery_point TEXT NOT NULL, user_id BIGINT NOT NULL REFERENCES users(id))
            """)
        try c.query("INSERT INTO users SELECT g, 'user' || g || '@example.com', 'cus_' || g FROM generate_series(1, 1000) g")
        try c.query("""
            INSERT INTO idempotency_keys (created_at, idempotency_key, last_run_at, locked_at, request_method,
              request_params, request_path, response_code, response_body, recovery_point, user_id)
            SELECT now() - (g % 86400) * interval '1 second', 'key-' || lpad(g::text, 20, '0'), now(),
              CASE WHEN g % 10 = 0 THEN now() END, 'POST',
              jsonb_build_object('origin_lat', g % 90, 'origin_lon', g % 180, 'target_lat', 1.5, 'target_lon', 2.5),
              '/rides', CASE WHEN g % 10 <> 0 THEN 201 END,
              CASE WHEN g % 10 <> 0 THEN '{"message": "Payment accepted. Your pilot is on their way!"}'::jsonb END,
              CASE WHEN g % 10 = 0 THEN 'ride_created' ELSE 'finished' END, 1 + g % 1000
            FROM generate_series(1, \(rows)) g
            """)
        try c.query("CREATE UNIQUE INDEX ON idempotency_keys (user_id, idempotency_key)")
        try c.query("VACUUM ANALYZE idempotency_keys")
    }

    /// Runs a command with its stdout counted and thrown away: (seconds, bytes, exit code).
    static func runDiscarding(_ argv: [String]) throws -> (Double, Int, Int32) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: argv[0])
        p.arguments = Array(argv.dropFirst())
        let pipe = Pipe()
        p.standardOutput = pipe
        let t0 = monotonicNanos()
        try p.run()
        var bytes = 0
        while true {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            bytes += chunk.count
        }
        p.waitUntilExit()
        return (Double(monotonicNanos() - t0) / 1e9, bytes, p.terminationStatus)
    }

    /// initdb and postgres on a free port, as `nobody` when root; trust auth on loopback (a throwaway cluster).
    static func makeCluster() -> (dir: String, server: Process, port: Int) {
        var template = Array((NSTemporaryDirectory() + "idemtop-bench-pg-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { fail("mkdtemp failed") }
        let dir = String(cString: made)
        let root = getuid() == 0
        if root { _ = chown(dir, 65534, 65534) }
        let prefix = root ? ["/usr/sbin/runuser", "-u", "nobody", "--"] : []
        let initdb = prefix + ["\(bin)/initdb", "-D", dir + "/data", "-U", "idem", "--auth=trust", "-E", "UTF8",
                               "--no-sync", "--locale=C.UTF-8"]
        guard let (_, _, code) = try? runDiscarding(initdb), code == 0 else { fail("initdb failed (apt-get install postgresql)") }
        let port = 20000 + Int(getpid() % 20000)
        let server = Process()
        let argv = prefix + ["\(bin)/postgres", "-D", dir + "/data", "-p", "\(port)", "-k", dir,
                             "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "shared_buffers=256MB"]
        server.executableURL = URL(fileURLWithPath: argv[0])
        server.arguments = Array(argv.dropFirst())
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        do { try server.run() } catch { fail("cannot start postgres: \(error)") }
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if (try? PGConnection(conninfo: "postgres://idem@127.0.0.1:\(port)/postgres")) != nil { return (dir, server, port) }
            usleep(100_000)
        }
        fail("postgres did not start on port \(port)")
    }

    static func stopCluster(_ dir: String, _ server: Process) {
        let prefix = getuid() == 0 ? ["/usr/sbin/runuser", "-u", "nobody", "--"] : []
        _ = try? runDiscarding(prefix + ["\(bin)/pg_ctl", "-D", dir + "/data", "-m", "fast", "-w", "stop"])
        server.waitUntilExit()
        try? FileManager.default.removeItem(atPath: dir)
    }
}

/// glibc's `mallopt(3)` (M_ARENA_MAX is -8), which Swift's Glibc module does not export.
@_silgen_name("mallopt")
func benchMallopt(_ parameter: Int32, _ value: Int32) -> Int32
