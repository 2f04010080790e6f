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

            --format jsonl prints the journal's line format (bodies left out), so its output is itself a journal.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, jsonl }

    @OptionGroup var store: StoreArgument
    @Flag(help: "Print the events already in the store first.") var fromStart = false
    @Option(help: "Output format.") var format: Format = .table
    @Option(parsing: .unconditional, help: ArgumentHelp("How often to look for new events, in milliseconds.", valueName: "MS"))
    var interval: Int = 20

    func validate() throws {
        guard (1...5000).contains(interval) else { throw ValidationError("--interval must be 1 to 5000 ms") }
    }

    func run() throws {
        let reader = try registry.reader(try store.location(), mode: .readOnly)
        var out = Output()
        if !fromStart {
            while try reader.poll(limit: 100_000, { _ in }, malformed: { _ in }) > 0 {}
            _ = reader.drainNotices()
        }
        // Ctrl-C, SIGTERM or SIGHUP end the loop after the batch being written, so no line is cut in half.
        let signals = SignalWatcher()
        defer { signals.stop() }
        while signals.received == 0 {
            let n = try reader.poll(limit: 10_000, { e in
                switch format {
                case .table: out.line(EventReport.line(e, withKey: true))
                case .jsonl: out.bytes(EventLineEncoder.encode(e))
                }
            }, malformed: { m in
                printError("idemtop: malformed entry at \(m.position): \(m.reason)")
            })
            for notice in reader.drainNotices() { printError("idemtop: \(notice)") }
            out.flush()
            if n == 0 { usleep(UInt32(interval * 1000)) }
        }
    }
}
