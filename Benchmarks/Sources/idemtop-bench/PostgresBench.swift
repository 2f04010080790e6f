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
        print(String(format: "postgres: before reading: RSS %.0f MiB, peak %.0f MiB", currentRSSMiB(), peakRSSMiB()))
        let cpu0 = cpuSeconds(), t0 = monotonicNanos()
        var ledger = Ledger()
        var read = 0
        do {
            let reader = try PostgresReader(location: location)
            while true {
                let n = try reader.poll(limit: 100_000, { if useLedger { ledger.apply($0) } }, malformed: { ledger.noteMalformed($0) })
                if n == 0 { break }
                read += n
            }
        } catch {
            fail("read failed: \(error)")
        }
        let seconds = Double(monotonicNanos() - t0) / 1e9
        let cpu = cpuSeconds() - cpu0
        print(String(format: "idemtop: %d rows (%d events, %d records, %d malformed) in %.2f s = %.0f rows/s, cpu %.2f s, peak RSS %.0f MiB",
                     rows, read, ledger.records.count, ledger.malformedCount, seconds, Double(rows) / seconds, cpu, peakRSSMiB()))
        let select = "select id, idempotency_key, user_id, created_at, locked_at, last_run_at, recovery_point, "
            + "response_code, request_method, request_path, md5(request_params::text), xmin from idempotency_keys"
        let psql = ["/usr/bin/psql", "-X", "-q", base, "-c", "\\copy (\(select)) to stdout"]
        guard let (psqlSeconds, out, code) = try? runDiscarding(psql), code == 0 else {
            fail("psql \\copy failed")
        }
        print(String(format: "psql \\copy: %d rows in %.2f s = %.0f rows/s (%.0f MB of text)",
                     rows, psqlSeconds, Double(rows) / psqlSeconds, Double(out) / 1e6))
        print(String(format: "postgres: idemtop/psql time %.2fx; load %@", seconds / psqlSeconds, loadAverage()))
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
