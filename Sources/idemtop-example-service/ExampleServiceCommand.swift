import ArgumentParser
import Foundation
import IdemCore
import IdemExampleService
import IdemStore

/// `idemtop-example-service`: a tiny payments API on loopback whose idempotency lives in an idemtop store.
@main
struct ExampleServiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "idemtop-example-service",
        abstract: "A tiny payments API (POST /v1/charges, POST /v1/refunds) on 127.0.0.1 that records its idempotency decisions into an idemtop store.",
        discussion: """
            The first line on stdout is `listening on http://127.0.0.1:PORT`; then one line per request.
            Headers: Idempotency-Key (required), X-Tenant (default: example), X-Demo-Crash: 1 (the work never \
            completes: the token stays in progress, then stuck), X-Demo-Fail: 1 (the work fails).
            """)

    @Option(help: "The store: a journal (.jsonl) or SQLite (.db); made when missing.") var store: String
    @Option(help: "The port on 127.0.0.1; 0 lets the system choose.") var port: UInt16 = 0
    @Option(help: "How long a token is remembered, e.g. 24h.") var retention: String = "24h"
    @Option(name: .customLong("lock-timeout"), help: "How long a token may stay in progress before it is stuck.")
    var lockTimeout: String = "60s"
    @Option(name: .customLong("work-ms"), help: "Simulated work time of each execution, in milliseconds.")
    var workMs: Int = 20
    @Option(name: .customLong("hold-until"),
            help: ArgumentHelp("Each execution's work goes on until this file exists (for tests).", valueName: "PATH"))
    var holdUntil: String?
    @Flag(help: "Print no line per request.") var quiet = false
    @Flag(name: .customLong("exit-with-stdin"),
          help: "Exit when stdin reaches its end: a parent that holds the other end of a pipe stops the service by dying.")
    var exitWithStdin = false

    func run() async throws {
        guard let retention = TimeSpan(parsing: retention), let lock = TimeSpan(parsing: lockTimeout) else {
            throw ValidationError("--retention and --lock-timeout want durations such as 24h or 60s")
        }
        if exitWithStdin { ServiceOutput.exitAtEndOfStdin() }
        let location = try StoreRegistry.files.location(parsing: store)
        let writer = try StoreRegistry.files.writer(location, policy: Policy(retention: retention, lockTimeout: lock),
                                       clock: SystemClock(), create: true)
        let quiet = self.quiet
        let api = PaymentsAPI(writer: writer, options: PaymentsAPI.Options(workMs: max(0, workMs), holdUntil: holdUntil),
                              log: { line in if !quiet { ServiceOutput.line(line) } })
        let server = try ExampleServer(api: api, port: port)
        async let serving: Void = server.run()
        let url = try await server.waitUntilListening()
        ServiceOutput.line("listening on \(url.absoluteString)")
        try await serving
    }
}

/// Writes a line to stdout at once, even when stdout is a pipe or a file.
enum ServiceOutput {
    /// Reads stdin on a thread of its own and exits the process at its end.
    static func exitAtEndOfStdin() {
        Thread {
            var buffer = [UInt8](repeating: 0, count: 512)
            while true {
                let n = read(0, &buffer, buffer.count)
                if n > 0 { continue }
                if n < 0, errno == EINTR { continue }
                exit(0)
            }
        }.start()
    }

    static func line(_ text: String) {
        let bytes = Array((text + "\n").utf8)
        bytes.withUnsafeBytes { b in _ = write(1, b.baseAddress, b.count) }
    }
}

