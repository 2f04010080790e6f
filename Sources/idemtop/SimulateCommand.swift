import ArgumentParser
import Foundation
import IdemApp
import IdemCore
import IdemSimulator
import IdemStore

/// `idemtop simulate STORE`: writes a payments API's traffic into a store through the writer API.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Drive the writer API like a payments service under load, planting every kind of token misuse.",
        discussion: """
            With --rate 0 (the default) it runs on a virtual clock from --start (by default so that the timeline \
            ends now), as fast as the store takes it, over more than the retention window so tokens expire and are \
            retried after expiry. With a rate it runs in real time, as a live service would, until --events, \
            --duration or Ctrl-C. The same --seed and --start give the same events.

            Examples:
              idemtop simulate payments.jsonl --events 20000 --seed 7
              idemtop simulate payments.db --rate 20 --retention 5m --lock-timeout 20s
            """)

    @OptionGroup var store: StoreArgument
    @Option(parsing: .unconditional, help: "Stop after writing this many events.") var events: Int?
    @Option(parsing: .unconditional, help: ArgumentHelp("The span to simulate (virtual) or to run (real time), in seconds.", valueName: "SECONDS"))
    var duration: Double?
    @Option(parsing: .unconditional, help: "Events per second in real time; 0 runs on a virtual clock as fast as possible.") var rate: Double = 0
    @Option(help: "The random seed.") var seed: UInt64 = 1
    @Option(help: ArgumentHelp("Where the virtual timeline starts (RFC 3339).", valueName: "TIME")) var start: String?
    @Option(help: ArgumentHelp("How long tokens are kept.", valueName: "DURATION")) var retention: String = "24h"
    @Option(name: .customLong("lock-timeout"), help: ArgumentHelp("How long a token may stay in progress.", valueName: "DURATION"))
    var lockTimeout: String = "60s"
    @Flag(help: "Print the summary as JSON.") var json = false

    func validate() throws {
        if events != nil && duration != nil { throw ValidationError("give --events or --duration, not both") }
        if let events, events <= 0 { throw ValidationError("--events must be positive") }
        if let duration, duration <= 0 { throw ValidationError("--duration must be positive") }
        if rate < 0 { throw ValidationError("--rate must be 0 or more") }
        if let start, Instant(rfc3339: start) == nil { throw ValidationError("--start wants an RFC 3339 time, not '\(start)'") }
        if rate > 0 && start != nil { throw ValidationError("--start applies to the virtual clock (--rate 0) only") }
    }

    func run() throws {
        let policy = try parsePolicy(retention: retention, lockTimeout: lockTimeout)
        let location = try store.location()
        let span = duration.map { TimeSpan(ms: Int64($0 * 1000)) }
        let now = SystemClock().now()
        let summary: Simulator.Summary
        if rate == 0 {
            let begin = start.flatMap { Instant(rfc3339: $0) } ?? now - (span ?? Simulator.Config.defaultSpan(policy: policy))
            let clock = ManualClock(begin)
            let writer = try registry.writer(location, policy: policy, clock: clock, create: true)
            let config = Simulator.Config(seed: seed, events: events, duration: span, rate: 0, start: begin, policy: policy)
            summary = try Simulator(config: config, writer: writer, clock: clock).run()
        } else {
            let writer = try registry.writer(location, policy: policy, clock: SystemClock(), create: true)
            let config = Simulator.Config(seed: seed, events: events, duration: span, rate: rate, start: now, policy: policy)
            let signals = SignalWatcher()
            defer { signals.stop() }
            summary = try Simulator(config: config, writer: writer, wallClock: SystemClock())
                .run(shouldStop: { signals.received != 0 })
        }
        var out = Output()
        let report = SimulateReport(summary)
        (json ? [ReportJSON.encode(report, pretty: true)] : report.lines(location)).forEach { out.line($0) }
        out.flush()
    }
}
