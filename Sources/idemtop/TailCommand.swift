import ArgumentParser
import Foundation
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
    @Option(help: ArgumentHelp("How often to look for new events, in milliseconds.", valueName: "MS"))
    var interval: Int = 20

    func validate() throws {
        guard (1...5000).contains(interval) else { throw ValidationError("--interval must be 1 to 5000 ms") }
    }

    func run() throws {
        let reader = try Stores.reader(try store.location(), mode: .readOnly)
        var out = Output()
        if !fromStart {
            while try reader.poll(limit: 100_000, { _ in }, malformed: { _ in }) > 0 {}
            _ = reader.drainNotices()
        }
        let stop = StopSignal()
        while !stop.requested {
            let n = try reader.poll(limit: 10_000, { e in
                switch format {
                case .table: out.line(EventFields.line(e, withKey: true))
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

/// Turns SIGINT and SIGTERM into a flag a loop can check, so it can finish what it is writing and stop cleanly.
final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    private var sources: [DispatchSourceSignal] = []

    init(signals: [Int32] = [SIGINT, SIGTERM]) {
        for sig in signals {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [weak self] in self?.request() }
            source.resume()
            sources.append(source)
        }
    }

    var requested: Bool { lock.withLock { flag } }
    func request() { lock.withLock { flag = true } }
}
