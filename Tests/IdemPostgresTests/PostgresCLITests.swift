import Foundation
import IdemCore
import IdemProcess
import IdemTestSupport
import Testing
@testable import IdemPostgres

/// The real binary on a Postgres store: libpq's password rules, a purge refused with exit 3 while another
/// transaction holds the row, `--read-only` never writing.
@Suite(.serialized) struct PostgresCLITests {
    /// The built binary beside the test bundle, else in .build/debug.
    static var binary: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("idemtop")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside.path }
        return PythonVenv.root.appendingPathComponent(".build/debug/idemtop").path
    }

    static func idemtop(_ args: [String], _ env: [String: String] = [:]) throws -> ChildProcess.Outcome {
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        for name in ["PGPASSWORD", "PGPASSFILE", "PGSERVICE"] { environment[name] = nil }
        for (k, v) in env { environment[k] = v }
        return try ChildProcess.run(binary, args, environment: environment, timeout: 120)
    }

    /// The URL without a password: libpq finds it in PGPASSWORD or the password file.
    static func bare(_ fx: PGFixture, _ options: String) -> String {
        "postgres://\(PostgresServer.user)@127.0.0.1:\(fx.server.port)/\(fx.db)?\(options)"
    }

    @Test func thePasswordComesFromThePasswordFileOrPGPASSWORDAsLibpqSays() throws {
        let fx = try PGFixture("cli_pass", setup: "rocket-setup")
        try fx.drive([["op": "rocket-request", "user": 1, "key": "key-cli-0000000000001"]])
        let url = PostgresCLITests.bare(fx, "table=idempotency_keys&preset=rocket-rides")
        let passfile = NSTemporaryDirectory() + "pgpass-\(UUID().uuidString)"
        try "127.0.0.1:\(fx.server.port):*:\(PostgresServer.user):\(PostgresServer.password)\n"
            .write(toFile: passfile, atomically: true, encoding: .utf8)
        chmod(passfile, 0o600)
        let listed = try PostgresCLITests.idemtop(["list", url], ["PGPASSFILE": passfile])
        #expect(listed.code == 0, "\(listed.stderrText)")
        #expect(listed.stdoutText.contains("key-cli-0000000000001"))
        let env = try PostgresCLITests.idemtop(["list", url], ["PGPASSWORD": PostgresServer.password])
        #expect(env.code == 0 && env.stdoutText.contains("key-cli-0000000000001"))
        let wrong = try PostgresCLITests.idemtop(["list", url], ["PGPASSWORD": "nope"])
        #expect(wrong.code != 0)
        let lines = wrong.stderrText.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("password authentication failed"), "\(wrong.stderrText)")
    }

    @Test func aPurgeOfARowAnotherTransactionHoldsIsRefusedWithExit3AndReadOnlyNeverWrites() throws {
        let fx = try PGFixture("cli_purge", setup: "rocket-setup")
        try fx.drive([["op": "rocket-request", "user": 1, "key": "key-held-000000000001", "fail": true]])
        let audit = NSTemporaryDirectory() + "pg-cli-audit-\(UUID().uuidString).jsonl"
        let url = PostgresCLITests.bare(fx, "table=idempotency_keys&preset=rocket-rides&lock_wait=300ms&audit=\(audit)")
        let env = ["PGPASSWORD": PostgresServer.password]
        let purge = ["purge", url, "key-held-000000000001", "--tenant", "1", "--reason", "test", "--yes"]
        let readOnly = try PostgresCLITests.idemtop(["purge", "--read-only"] + Array(purge.dropFirst()), env)
        #expect(readOnly.code != 0 && readOnly.code != 3)
        #expect(readOnly.stderrText.contains("read-only"))
        #expect(!FileManager.default.fileExists(atPath: audit))
        let holder = try PGConnection(conninfo: fx.server.url("", db: fx.db).replacingOccurrences(of: "?", with: ""))
        try holder.query("BEGIN")
        try holder.query("SELECT 1 FROM idempotency_keys FOR UPDATE")
        let held = try PostgresCLITests.idemtop(purge, env)
        #expect(held.code == 3, "\(held.stdoutText) \(held.stderrText)")
        #expect((held.stdoutText + held.stderrText).contains("locked by another transaction"))
        try holder.query("ROLLBACK")
        #expect(try fx.sql("SELECT 1 FROM idempotency_keys").count == 1)
        let done = try PostgresCLITests.idemtop(purge, env)
        #expect(done.code == 0, "\(done.stderrText)")
        #expect(try fx.sql("SELECT 1 FROM idempotency_keys").count == 0)
        #expect(try String(contentsOfFile: audit, encoding: .utf8).contains("\"kind\":\"purge\""))
    }
}
