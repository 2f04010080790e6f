import Foundation
import IdemCore
import IdemProcess
import IdemTestSupport

/// A redis-server (Debian's) on a free loopback port: a child process under a small Python watchdog that kills it
/// when this process's lifeline closes, so it never outlives the tests. One per suite; `restart` stops it and
/// starts it again on the same port (a server restarting mid-follow).
final class RedisServer: Sendable {
    let port: Int
    let dir: URL
    let extra: [String]
    private let child: Locked<RunningChild?>

    /// Starts `redis-server` with `extra` arguments (an ACL user, TLS options...).
    init(extra: [String] = [], tls: Bool = false) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/redis-server") else {
            throw HarnessError("redis-server is not installed: apt-get install redis-server redis-tools")
        }
        port = try LoopbackPort.free()
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("idemtop-redis-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        self.extra = extra
        self.tls = tls
        child = Locked(nil)
        try start()
    }

    /// A server that speaks only TLS on its port, with the certificates in `tlsDir` (ca.crt, server.crt/key).
    convenience init(tlsDir: URL) throws {
        try self.init(extra: ["--tls-cert-file", tlsDir.appendingPathComponent("server.crt").path,
                              "--tls-key-file", tlsDir.appendingPathComponent("server.key").path,
                              "--tls-ca-cert-file", tlsDir.appendingPathComponent("ca.crt").path,
                              "--tls-auth-clients", "no"], tls: true)
    }

    private let tls: Bool

    private func start() throws {
        let portArgs = tls ? ["--port", "0", "--tls-port", String(port)] : ["--port", String(port)]
        let args = ["/usr/bin/redis-server"] + portArgs + ["--bind", "127.0.0.1", "--save", "",
                    "--appendonly", "no", "--dir", dir.path] + extra
        let c = try RunningChild("/usr/bin/env", ["python3", "-c", Watchdog.script] + args, input: .lifeline,
                                 stdout: .discard, stderr: .discard)
        // A generous deadline: beside a busy core and the rest of the suite's servers, one start took over 20 s.
        guard LoopbackPort.waitUntilAccepting(port, seconds: 120, alive: { c.isRunning }) else {
            let exited = !c.isRunning
            c.kill()
            throw HarnessError("redis-server " + (exited ? "exited before accepting on" : "did not start within 120 s on")
                               + " 127.0.0.1:\(port)")
        }
        child.withLock { $0 = c }
    }

    /// Stops the server (its data is gone: no persistence).
    func stop() {
        let c = child.withLock { c -> RunningChild? in defer { c = nil }; return c }
        c?.closeInput()
        let deadline = Date().addingTimeInterval(20)
        while LoopbackPort.accepts(port), Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
    }

    func restart() throws {
        stop()
        try start()
    }

    var url: String { "redis://127.0.0.1:\(port)" }

    /// Runs redis-cli against the server; its output, trimmed.
    @discardableResult
    func cli(_ args: [String], environment: [String: String] = [:]) throws -> String {
        let r = try PowertoolsVenv.run("/usr/bin/redis-cli", ["-p", String(port)] + args, environment: environment)
        guard r.code == 0 else { throw HarnessError("redis-cli \(args.joined(separator: " ")) failed: \(r.err)") }
        return r.out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    deinit { stop() }
}
