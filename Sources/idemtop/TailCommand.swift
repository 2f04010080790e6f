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

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, jsonl }

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
        let location = try store.location()
        // Ctrl-C, SIGTERM or SIGHUP end the loop after the batch being written, so no line is cut in half.
        let signals = SignalWatcher()
        defer { signals.stop() }
        guard let opened = try open(location, signals) else { return }
        let (reader, appeared) = opened
        var out = Output()
        if !fromStart && !appeared {
            while try reader.poll(limit: 100_000, { _ in }, malformed: { _ in }) > 0 {}
        }
        // What the reader noticed so far (a SQLite store read as a snapshot) is said once, before any event.
        for notice in reader.drainNotices() { printError("idemtop: \(notice)") }
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

    /// Opens the store; with `--wait`, waits for it to appear first (true in the pair: it appeared, so it is new and
    /// printed from its start). Nil when a signal ended the wait.
    private func open(_ location: StoreLocation, _ signals: SignalWatcher) throws -> (any EventReader, Bool)? {
        var said = false
        while signals.received == 0 {
            do {
                return (try registry.reader(location, mode: .readOnly), said)
            } catch StoreError.notFound(let path) where wait {
                if !said { printError("idemtop: \(path) does not exist yet: waiting for it to appear") }
                said = true
            } catch StoreError.notAStore where wait && said && TailCommand.isEmptyFile(location.path) {
                // Created a moment ago, its schema not written yet (SQLite): wait for the writer to finish.
            }
            usleep(UInt32(interval * 1000))
        }
        return nil
    }

    private static func isEmptyFile(_ path: String) -> Bool {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) == 0
    }
}
