import ArgumentParser
import Foundation
import IdemApp
import IdemCore
import IdemStore

/// `idemtop tail STORE`: prints events as they are written, until interrupted.
struct TailCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Follow a store and print each event as it arrives (Ctrl-C to stop).",
        discussion: """
            Examples:
              idemtop tail payments.jsonl
              idemtop tail payments.db --from-start --format jsonl | jq 'select(.outcome == "mismatch")'
              idemtop tail --wait tomorrow.jsonl

            --wait, for a store that does not exist yet, waits for it to appear (as tail -F does), then prints it
            from its start and follows it.

            --format jsonl prints the journal's line format (bodies left out), so its output is itself a journal.
            """)

    typealias Format = TailRun.Format

    @OptionGroup var store: StoreArgument
    @Flag(help: "Print the events already in the store first.") var fromStart = false
    @Option(help: "Output format.") var format: Format = .table
    @Flag(help: "Wait for a store that does not exist yet to appear, then follow it from its start (like tail -F).")
    var wait = false
    @Option(parsing: .unconditional, help: ArgumentHelp("How often to look for new events, in milliseconds.", valueName: "MS"))
    var interval: Int = 20

    func validate() throws {
        guard (1...5000).contains(interval) else { throw ValidationError("--interval must be 1 to 5000 ms") }
    }

    func run() throws {
        // Ctrl-C, SIGTERM or SIGHUP end it after the batch being written, so no line is cut in half.
        let signals = SignalWatcher()
        defer { signals.stop() }
        try TailRun(location: try store.location(), registry: registry, format: format, fromStart: fromStart,
                    wait: wait, intervalMs: interval).follow(shouldStop: { signals.received != 0 })
    }
}

extension TailRun.Format: ExpressibleByArgument {}
