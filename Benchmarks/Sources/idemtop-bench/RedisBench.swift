import Foundation

/// `idemtop-bench redis`: scan N Powertools records from a local redis-server with idemtop (`idemtop stats
/// redis://...`, which reads every key and folds them), with `redis-cli --scan | xargs redis-cli mget`, and with
/// redis-py (`scan_iter` + pipelined `get`), in one run: keys/s and peak RSS of each.
///
///     idemtop-bench redis [--records 1000000] [--binary .build/release/idemtop] [--python .build/powertools-venv/bin/python]
///                         [--compare OTHER-IDEMTOP] [--rounds N]
///
/// The server is started here on a free port (no persistence) and loaded with `redis-cli --pipe`; peak RSS is each
/// command's largest process and CPU its user + system time (`getrusage(RUSAGE_CHILDREN)` of a wrapper that runs
/// only it); `server` is redis-server's own user + system CPU while the command ran (`/proc/PID/stat`). `--compare` runs a second idemtop binary (an older build) right
/// after the first; `--rounds` repeats all readers, alternating, with the load average on every line.
enum RedisBench {
    static func run(records: Int, binary: String, python: String, compare: String? = nil, rounds: Int = 1) {
        let port = 20000 + Int(getpid() % 20000)
        let dir = NSTemporaryDirectory() + "idemtop-bench-redis-\(port)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/redis-server")
        server.arguments = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                            "--dir", dir]
        server.standardOutput = FileHandle.nullDevice
        do { try server.run() } catch { fail("cannot start redis-server: \(error)") }
        defer {
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        let cli = "/usr/bin/redis-cli"
        var up = false
        for _ in 0..<500 where !up {
            up = ((try? RedisBench.measure(cli, ["-p", String(port), "PING"]))?.out ?? "").contains("PONG")
            if !up { usleep(20_000) }
        }
        guard up else { fail("redis-server did not answer on \(port)") }
        load(records: records, port: port, dir: dir)
        print("redis: \(records) Powertools records on redis-server 127.0.0.1:\(port)")
        let url = "redis://127.0.0.1:\(port)?tracking=0"
        let tokens: (String) -> Int? = { out in
            out.split(separator: "\n").first { $0.hasPrefix("tokens") }.flatMap { $0.split(separator: " ").dropFirst().first }
                .flatMap { Int($0) }
        }
        let script = """
            import redis, sys
            c = redis.Redis(port=int(sys.argv[1]))
            n, batch = 0, []
            for k in c.scan_iter(count=1000):
                batch.append(k)
                if len(batch) == 1000:
                    p = c.pipeline(transaction=False)
                    for x in batch: p.get(x)
                    n += len(p.execute()); batch = []
            if batch:
                p = c.pipeline(transaction=False)
                for x in batch: p.get(x)
                n += len(p.execute())
            print(n)
            """
        let pid = server.processIdentifier
        for round in 1...max(1, rounds) {
            if rounds > 1 { print("round \(round)") }
            report("idemtop stats", records, binary, ["stats", url], server: pid, count: tokens)
            if let compare {
                report("idemtop stats (--compare)", records, compare, ["stats", url], server: pid, count: tokens)
            }
            report("redis-cli --scan | xargs redis-cli mget", records, "/bin/sh",
                   ["-c", "\(cli) -p \(port) --scan --pattern '*' | xargs -n 1000 \(cli) -p \(port) mget | grep -c COMPLETED"],
                   server: pid)
            report("redis-py scan_iter + pipelined get", records, python, ["-c", script, String(port)], server: pid)
        }
    }

    /// Loads `records` completed Powertools records (the shape CachePersistenceLayer writes) with `redis-cli --pipe`.
    static func load(records: Int, port: Int, dir: String) {
        let path = dir + "/load.resp"
        FileManager.default.createFile(atPath: path, contents: nil)
        guard let out = FileHandle(forWritingAtPath: path) else { fail("cannot write \(path)") }
        let exp = Int(Date().timeIntervalSince1970) + 7200
        var buf = ""
        func bulk(_ s: String) -> String { "$\(s.utf8.count)\r\n\(s)\r\n" }
        for i in 0..<records {
            let key = "bench-fn.app.handler#" + String(format: "%032x", i &* 2_654_435_761)
            let data = "{\\\"statusCode\\\": 200, \\\"body\\\": \\\"charged order \(i)\\\"}"
            let value = "{\"data\": \"\(data)\", \"status\": \"COMPLETED\", \"expiration\": \(exp)}"
            buf += "*5\r\n" + bulk("SET") + bulk(key) + bulk(value) + bulk("EX") + bulk("7200")
            if buf.utf8.count > 1 << 20 {
                out.write(Data(buf.utf8))
                buf = ""
            }
        }
        out.write(Data(buf.utf8))
        try? out.close()
        let started = monotonicNanos()
        let r = try? measure("/bin/sh", ["-c", "/usr/bin/redis-cli -p \(port) --pipe < \(path)"])
        let summary = (r?.out ?? "").split(separator: "\n").last.map(String.init) ?? "?"
        print(String(format: "loaded in %.1f s: ", Double(monotonicNanos() - started) / 1e9) + summary)
        try? FileManager.default.removeItem(atPath: path)
    }

    /// One line: the command's keys/s over `records`, its wall time and peak RSS; a command that did not read
    /// every record (its count, by default the last number it printed) is reported as failed.
    static func report(_ name: String, _ records: Int, _ executable: String, _ arguments: [String], server: Int32,
                       count: (String) -> Int? = { Int($0.split(separator: "\n").last ?? "") }) {
        let serverBefore = cpuSeconds(of: server)
        guard let r = try? measure(executable, arguments), r.code == 0 else {
            print("\(name): failed to run")
            return
        }
        guard let n = count(r.out), n == records else {
            print("\(name): read \(count(r.out).map(String.init) ?? "?") of \(records) records")
            return
        }
        let serverCPU = cpuSeconds(of: server) - serverBefore
        let padded = name.padding(toLength: 40, withPad: " ", startingAt: 0)
        print(padded + String(format: " %8.0f keys/s  %6.2f s  CPU %6.2f s  peak RSS %6.1f MiB  server CPU %5.2f s  load %@",
                              Double(records) / r.seconds, r.seconds, r.cpuSeconds, r.maxRSSKiB / 1024, serverCPU,
                              loadAverage()))
    }

    /// A process's user + system CPU so far, from `/proc/PID/stat` (fields 14 and 15, in clock ticks).
    static func cpuSeconds(of pid: Int32) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return 0 }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The 1-minute load average, as /proc/loadavg has it.
    static func loadAverage() -> String {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?"
        return String(text.split(separator: " ").first ?? "?")
    }

    /// Runs a command under a wrapper that reports its largest process's peak RSS and its CPU time (user + system).
    static func measure(_ executable: String, _ arguments: [String]) throws
        -> (seconds: Double, out: String, code: Int32, maxRSSKiB: Double, cpuSeconds: Double) {
        let wrapper = """
            import resource, subprocess, sys
            r = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE)
            sys.stdout.write(r.stdout.decode(errors="replace"))
            u = resource.getrusage(resource.RUSAGE_CHILDREN)
            sys.stderr.write("cpu %f\\n" % (u.ru_utime + u.ru_stime))
            sys.stderr.write("maxrss %d\\n" % u.ru_maxrss)
            sys.exit(r.returncode)
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = ["-c", wrapper, executable] + arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let t0 = monotonicNanos()
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let seconds = Double(monotonicNanos() - t0) / 1e9
        let rss = e.split(separator: "\n").last { $0.hasPrefix("maxrss ") }.flatMap { Double($0.dropFirst(7)) } ?? -1
        let cpu = e.split(separator: "\n").last { $0.hasPrefix("cpu ") }.flatMap { Double($0.dropFirst(4)) } ?? -1
        return (seconds, String(decoding: data, as: UTF8.self), p.terminationStatus, rss, cpu)
    }
}
