import Foundation
import IdemCore
import IdemStore

/// What `tail` does once its arguments are parsed: open the store (waiting for it to appear, with `wait`), skip
/// what it holds unless `fromStart`, then print each event as it is written until `shouldStop` says so.
public struct TailRun {
    /// How each event is printed.
    public enum Format: String, CaseIterable, Sendable { case table, jsonl }

    public var location: StoreLocation
    public var registry: StoreRegistry
    public var format: Format
    public var fromStart: Bool
    public var wait: Bool
    /// Between polls that found nothing, in milliseconds.
    public var intervalMs: Int

    public init(location: StoreLocation, registry: StoreRegistry, format: Format, fromStart: Bool, wait: Bool,
                intervalMs: Int) {
        self.location = location
        self.registry = registry
        self.format = format
        self.fromStart = fromStart
        self.wait = wait
        self.intervalMs = intervalMs
    }

    /// Follows the store, printing to standard output and notices on stderr, until `shouldStop` is true (checked
    /// between batches, so no line is cut in half).
    public func follow(shouldStop: () -> Bool) throws {
        guard let (reader, appeared) = try open(shouldStop: shouldStop) else { return }
        var out = Output()
        if !fromStart && !appeared {
            while try reader.poll(limit: 100_000, { _ in }, malformed: { _ in }) > 0 {}
        }
        // What the reader noticed so far (a SQLite store read as a snapshot) is said once, before any event.
        for notice in reader.drainNotices() { printError("idemtop: \(notice)") }
        while !shouldStop() {
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
            if n == 0 { usleep(UInt32(intervalMs * 1000)) }
        }
    }

    /// Opens the store; with `wait`, waits for it to appear first (true in the pair: it appeared, so it is new and
    /// printed from its start). Nil when `shouldStop` ended the wait.
    private func open(shouldStop: () -> Bool) throws -> (any EventReader, Bool)? {
        var said = false
        while !shouldStop() {
            do {
                return (try registry.reader(location, mode: .readOnly), said)
            } catch StoreError.notFound(let path) where wait {
                if !said { printError("idemtop: \(path) does not exist yet: waiting for it to appear") }
                said = true
            } catch StoreError.notAStore where wait && said && TailRun.isEmptyFile(location.path) {
                // Created a moment ago, its schema not written yet (SQLite): wait for the writer to finish.
            }
            usleep(UInt32(intervalMs * 1000))
        }
        return nil
    }

    private static func isEmptyFile(_ path: String) -> Bool {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) == 0
    }
}
