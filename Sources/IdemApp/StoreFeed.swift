import Foundation
import IdemCore
import IdemStore
import IdemUI

/// Owns the store's reader on a thread of its own: polls it on the dashboard's cadence, runs the reads the loop
/// asks for (a token's detail, a replay's stored request), and posts everything to the loop's inbox.
///
/// Nothing the store does can stall the keys: a poll that blocks (a network store that accepts and never answers)
/// only delays the next poll and the reads queued behind it, which the loop shows as still loading.
final class StoreFeed: Sendable {
    /// A read to run on the feed's thread with the reader.
    typealias Job = @Sendable (any EventReader) -> Void

    /// How often the store is read.
    struct Cadence: Sendable {
        /// Between polls while events flow (data in the last two seconds).
        var refresh: UInt64
        /// Between polls when the store is quiet.
        var idle: UInt64 = 250_000_000
        /// Events per poll: a batch the loop applies in one go.
        var batch = 50_000
        /// The longest pause after a failed poll (it doubles from `idle` up to this).
        var maxBackoff: UInt64 = 5_000_000_000
    }

    private struct Requests {
        var jobs: [Job] = []
        /// A fresh reader to open, read through with its job, and follow from then on (see `reopen`).
        var reopen: (open: @Sendable () throws -> any EventReader, job: @Sendable (any EventReader) throws -> Void)?
        var syncs: [Int] = []
        var stopped = false
    }

    private let requests = Locked(Requests())
    private let wake = Waker()
    private let inbox: Inbox
    private let cadence: Cadence
    private let source: StoreSource
    private let name: String
    /// The store's number among those open: stamped on every event it posts.
    private let store: UInt8
    /// With a policy, a SQLite store is first read from its token table (`SQLiteTokenTable`) when it can be.
    private let tokenTable: Policy?

    init(source: StoreSource, store: UInt8 = 0, inbox: Inbox, cadence: Cadence, tokenTable: Policy? = nil) {
        self.source = source
        self.tokenTable = tokenTable
        name = source.location.displayName
        self.store = store
        self.inbox = inbox
        self.cadence = cadence
    }

    /// Starts the feed's thread; it opens the store (retrying with a growing pause while it fails) and reads it
    /// from the start.
    func start() {
        let thread = Thread { [self] in
            guard let reader = openReader() else { return }
            run(reader)
        }
        thread.name = "idemtop-store"
        thread.start()
    }

    /// Runs `job` with the reader on the feed's thread, before the next poll.
    func read(_ job: @escaping Job) {
        requests.withLock { $0.jobs.append(job) }
        wake.wake()
    }

    /// Opens a fresh reader with `open` on the feed's thread, hands it to `job` (which reads it to its end), then
    /// follows the store with it in place of the old one, so nothing is read twice. A reader that cannot be opened
    /// or read (the job throws) is an error line; the old one goes on.
    func reopen(_ open: @escaping @Sendable () throws -> any EventReader,
                then job: @escaping @Sendable (any EventReader) throws -> Void) {
        requests.withLock { $0.reopen = (open, job) }
        wake.wake()
    }

    /// Polls at once until the store has nothing more, then posts `.synced(id)`: after it, the inbox holds all
    /// that the store held when asked.
    func sync(_ id: Int) {
        requests.withLock { $0.syncs.append(id) }
        wake.wake()
    }

    /// Ends the thread after what it is doing now; never waits for it (a poll may be stuck on the network).
    func stop() {
        requests.withLock { $0.stopped = true }
        wake.wake()
    }

    /// The opened reader, or nil when the feed was stopped first. Each failure is an error line for the header.
    private func openReader() -> (any EventReader)? {
        var pause: Int32 = 1000
        while true {
            do { return try source.open() } catch {
                inbox.post(.message(.error("opening \(name): \(error)")))
            }
            // Syncs asked meanwhile are answered: there is nothing to read yet.
            let (stopped, syncs) = requests.withLock { r in
                defer { r.syncs.removeAll() }
                return (r.stopped, r.syncs)
            }
            for id in syncs { inbox.post(.synced(id)) }
            if stopped { return nil }
            _ = wake.wait(timeoutMs: pause)
            if requests.withLock({ $0.stopped }) { return nil }
            pause = min(30_000, pause * 2)
        }
    }

    private func run(_ first: any EventReader) {
        if let policy = tokenTable, let sqlite = first as? SQLiteReader, sqlite.lastSeq == 0 {
            readTokenTable(sqlite, policy: policy)
        }
        var reader = first
        var poller = Poller(reader: reader, store: store, inbox: inbox, cadence: cadence, name: name)
        while true {
            let (jobs, syncs, stopped, reopen) = requests.withLock { r in
                defer { r.jobs.removeAll(); r.syncs.removeAll(); r.reopen = nil }
                return (r.jobs, r.syncs, r.stopped, r.reopen)
            }
            if stopped { return }
            if let reopen {
                do {
                    let fresh = try reopen.open()
                    try reopen.job(fresh)
                    reader = fresh
                    poller = Poller(reader: fresh, store: store, inbox: inbox, cadence: cadence, name: name)
                    poller.loading = false
                } catch {
                    inbox.post(.message(.error("reading \(name) again: \(error)")))
                }
            }
            for job in jobs { job(reader) }
            // Hold back while the loop has two batches still to apply: memory stays bounded on a big load.
            if inbox.pendingBatches >= 2, syncs.isEmpty {
                Waker.wait(any: [wake, inbox.drained], timeoutMs: 100)
                continue
            }
            if !syncs.isEmpty {
                poller.catchUp()
                for id in syncs { inbox.post(.synced(id)) }
            } else if Monotonic.nanos >= poller.nextPoll {
                poller.pollOnce()
            }
            guard jobsAndSyncsEmpty else { continue }
            let now = Monotonic.nanos
            let wait = poller.nextPoll > now ? (poller.nextPoll - now) / 1_000_000 : 0
            if wait > 0 { _ = wake.wait(timeoutMs: Int32(min(wait, 1000))) }
        }
    }

    /// Posts the store's token table as one message (the first full frame needs no event folded), places the
    /// reader after the events it covers, then posts those events as history, oldest first, two batches ahead of
    /// the loop at most. Where the table cannot stand for the fold (see `SQLiteTokenTable`), the reader folds the
    /// events from the start, as for any store.
    private func readTokenTable(_ reader: SQLiteReader, policy: Policy) {
        let path = reader.location.path
        guard let table = try? SQLiteTokenTable.read(path: path, until: nil, policy: policy),
              let history = try? SQLiteReader(path: path, mode: .readOnly) else { return }
        reader.skip(to: table.lastSeq)
        inbox.post(.message(.tokenTable(table.ledger)))
        inbox.post(.progress(store, LoadStatus(done: table.lastSeq, total: table.lastSeq, unit: "rows", rate: 0,
                                               finished: true)))
        var batch: [StoreEvent] = []
        while history.lastSeq < table.lastSeq, !requests.withLock({ $0.stopped }) {
            if inbox.pendingBatches >= 2 {
                Waker.wait(any: [wake, inbox.drained], timeoutMs: 100)
                continue
            }
            batch.removeAll(keepingCapacity: true)
            let n = try? history.poll(limit: cadence.batch, { e in
                if e.seq <= table.lastSeq { batch.append(e) }
            }, malformed: { _ in })
            if !batch.isEmpty { inbox.post(.message(.history(batch))) }
            if (n ?? 0) == 0 { break }
        }
    }

    private var jobsAndSyncsEmpty: Bool {
        requests.withLock { $0.jobs.isEmpty && $0.syncs.isEmpty && !$0.stopped }
    }
}

/// One poll of the store and what follows from it: the batch, notices and load progress posted, and when the
/// next poll is due (at once while loading, the refresh interval while events flow, backing off after errors).
private struct Poller {
    let reader: any EventReader
    let store: UInt8
    let inbox: Inbox
    let cadence: StoreFeed.Cadence
    let name: String
    var loading = true
    let started = Monotonic.nanos
    var lastData: UInt64 = 0
    var failures = 0
    var nextPoll: UInt64 = 0
    /// What the reader last said of following (see `EventReader.isSnapshot`).
    var snapshot = false
    /// The version of the reader's own findings last posted (see `FindingSource`); -1: none yet (a reopened
    /// reader's list replaces the old one's, even when empty).
    var findingsVersion = -1

    init(reader: any EventReader, store: UInt8, inbox: Inbox, cadence: StoreFeed.Cadence, name: String) {
        self.reader = reader
        self.store = store
        self.inbox = inbox
        self.cadence = cadence
        self.name = name
    }

    /// Polls until a poll finds less than a full batch (or fails).
    mutating func catchUp() {
        while pollOnce() >= cadence.batch {}
    }

    /// Reads one batch and posts it; returns how many events it read.
    @discardableResult
    mutating func pollOnce() -> Int {
        var batch: [StoreEvent] = []
        var malformed: [MalformedEntry] = []
        batch.reserveCapacity(loading ? cadence.batch : 256)
        var failed = false
        do {
            if store == 0 {
                _ = try reader.poll(limit: cadence.batch, { batch.append($0) }, malformed: { malformed.append($0) })
            } else {
                _ = try reader.poll(limit: cadence.batch, { e in
                    var e = e
                    e.store = store
                    batch.append(e)
                }, malformed: { malformed.append($0) })
            }
            failures = 0
        } catch {
            failed = true
            failures += 1
            inbox.post(.message(.error("reading \(name): \(error)")))
        }
        let now = Monotonic.nanos
        if !batch.isEmpty || !malformed.isEmpty {
            lastData = now
            inbox.post(.message(.events(batch, malformed: malformed)))
        }
        let notices = reader.drainNotices()
        if !notices.isEmpty { inbox.post(.message(.notices(notices))) }
        if let source = reader as? FindingSource, source.storeFindingsVersion != findingsVersion {
            findingsVersion = source.storeFindingsVersion
            inbox.post(.message(.storeFindings(store, source.storeFindings)))
        }
        if reader.isSnapshot != snapshot {
            snapshot = reader.isSnapshot
            inbox.post(.message(.snapshot(snapshot)))
        }
        if loading {
            if batch.count < cadence.batch { loading = false }
            let p = reader.progress
            let seconds = Double(now &- started) / 1e9
            let rate = seconds > 0.2 ? Double(p.done) / seconds : 0
            inbox.post(.progress(store, LoadStatus(done: p.done, total: p.total, unit: p.unit, rate: rate,
                                                   finished: !loading)))
        }
        if failed {
            let backoff = min(cadence.maxBackoff, cadence.idle << UInt64(min(failures - 1, 8)))
            nextPoll = now + backoff
        } else if loading {
            nextPoll = now
        } else {
            nextPoll = now + (now &- lastData < 2_000_000_000 ? cadence.refresh : cadence.idle)
        }
        return batch.count
    }
}
