import Foundation
import IdemCore

/// The writer API over a journal: decides each request under a lock shared by every writer process, then appends.
///
/// Each `begin`, `complete`, `fail` and `append` takes `flock(LOCK_EX)` on the journal, catches up by reading what
/// other writers appended since its last look into its own `Ledger`, decides with `Decision` on the current record,
/// writes the whole line with one `write` call, and unlocks. So lines never interleave, and two processes racing on
/// one token execute it once: the second sees the first's `executed` line and gets `conflict`.
public final class JournalWriter: TokenWriter, TokenAdmin, BatchPurging {
    public let path: String
    public let policy: Policy
    private let clock: any Clock
    private var file: JournalFile
    /// The same file open for reading: where the catch-up reader stops, even when the journal was rotated since.
    private var fileForReading: JournalFile
    private var reader: JournalReader
    private var ledger: Ledger

    /// Opens `path` for appending (`O_WRONLY|O_APPEND`, made when `create` is true); the first call reads what it holds.
    /// The writer keeps its own `Ledger` of the whole journal (a few hundred bytes a token).
    public init(path: String, policy: Policy = .standard, clock: any Clock, create: Bool) throws {
        self.path = path
        self.policy = policy
        self.clock = clock
        (file, fileForReading) = try JournalWriter.open(path, create: create)
        reader = try JournalReader(path: path, indexTokens: false, rotationGrace: 0)
        ledger = Ledger(policy: policy)
    }

    /// The writer's fold of the journal as of its last lock: for tests and tools.
    public var snapshot: Ledger { ledger }

    public func begin(tenant: String, token: String, operation: String, fingerprint: Fingerprint,
                      request: StoredRequest?) throws -> BeginResult {
        try locked {
            let now = clock.now()
            let key = TokenKey(tenant: tenant, token: token)
            let existing = ledger.record(key)
            let outcome = Decision.outcome(existing: existing, operation: operation,
                                           existingOperation: existing.map { ledger.operation(of: $0) },
                                           fingerprint: fingerprint, at: now)
            let event = Decision.event(for: outcome, tenant: tenant, token: token, operation: operation,
                                       fingerprint: fingerprint, request: request, existing: existing,
                                       policy: policy, at: now)
            // Read the stored response before appending: the line is needed only for a replay.
            var stored: StoredResponse?
            if outcome == .replayed, let r = existing {
                stored = try storedResponse(key, r)
            }
            try file.writeAll(EventLineEncoder.encode(event))
            return BeginResult(outcome, key: key, existing: existing,
                               existingOperation: existing.map { ledger.operation(of: $0) }, storedResponse: stored)
        }
    }

    public func complete(_ ticket: Ticket, response: StoredResponse) throws {
        try locked {
            try checkCurrent(ticket)
            let event = StoreEvent(kind: .completed, at: clock.now(), tenant: ticket.key.tenant,
                                   token: ticket.key.token, responseStatus: response.status, response: response)
            try file.writeAll(EventLineEncoder.encode(event))
        }
    }

    public func fail(_ ticket: Ticket, error: String) throws {
        try locked {
            try checkCurrent(ticket)
            let event = StoreEvent(kind: .failed, at: clock.now(), tenant: ticket.key.tenant,
                                   token: ticket.key.token, error: error)
            try file.writeAll(EventLineEncoder.encode(event))
        }
    }

    /// Appends an admin event (purge, replay) under the writers' lock.
    ///
    /// `check` runs first, under the lock, against the caught-up ledger: a purge's compare-and-set on the status and
    /// version the operator saw throws from there, and then nothing is written.
    public func append(_ event: StoreEvent, check: ((Ledger) throws -> Void)? = nil) throws {
        try locked {
            try check?(ledger)
            try file.writeAll(EventLineEncoder.encode(event))
        }
    }

    /// Purges `key` when the journal still holds the version and stored status the operator saw.
    ///
    /// Under the writers' lock: catch up, compare, append one `purge` line. The journal is never rewritten; from
    /// that line on, every reader and writer folds the token as purged, and its next request executes anew.
    public func purge(_ key: TokenKey, expect: PurgeExpectation, actor: String, reason: String) throws -> PurgeOutcome {
        try locked {
            let now = clock.now()
            if let refusal = PurgeCheck.refusal(key: key, current: ledger.record(key), expect: expect, now: now) {
                return .refused(refusal)
            }
            let event = PurgeCheck.event(key: key, expect: expect, actor: actor, reason: reason, at: now)
            try file.writeAll(EventLineEncoder.encode(event))
            return .purged(event)
        }
    }

    /// Purges a batch under one lock: each request checked against the caught-up ledger (and the batch's own
    /// earlier purges), the granted ones appended with one `write`.
    public func purge(batch: [PurgeTarget], actor: String, reason: String) throws -> [PurgeOutcome] {
        try locked {
            let now = clock.now()
            var purged = Set<TokenKey>()
            var bytes: [UInt8] = []
            let outcomes = batch.map { item -> PurgeOutcome in
                if purged.contains(item.key) { return .refused("\(item.key.visible) is already purged") }
                if let refusal = PurgeCheck.refusal(key: item.key, current: ledger.record(item.key), expect: item.expect,
                                                    now: now) {
                    return .refused(refusal)
                }
                let event = PurgeCheck.event(key: item.key, expect: item.expect, actor: actor, reason: reason, at: now)
                bytes += EventLineEncoder.encode(event)
                purged.insert(item.key)
                return .purged(event)
            }
            if !bytes.isEmpty { try file.writeAll(bytes) }
            return outcomes
        }
    }

    /// Appends an admin `replay` event under the writers' lock.
    public func recordReplay(_ event: StoreEvent) throws {
        guard event.kind == .replay else { throw StoreError.usage("recordReplay takes a replay event") }
        try append(event)
    }

    /// Throws `superseded` unless the ticket names the record's current execution and it is still in progress.
    private func checkCurrent(_ ticket: Ticket) throws {
        guard let r = ledger.record(ticket.key) else { throw StoreError.unknownToken(ticket.key) }
        guard r.executions == ticket.execution, r.stored == .inProgress else { throw StoreError.superseded(ticket.key) }
    }

    /// Runs `body` holding the journal's exclusive lock, with the ledger caught up to the end of the journal.
    private func locked<T>(_ body: () throws -> T) throws -> T {
        // Checked again under the lock: a rename between the check and the lock would put this line in the old file
        // after a reader that saw the lock free had moved on (readers wait for the old file's lock to be free).
        while true {
            try reopenIfRotated()
            try file.lockExclusive()
            guard let now = JournalFile.identity(ofPath: path), now != file.identity else { break }
            file.unlock()
        }
        defer { file.unlock() }
        try catchUp()
        if reader.pendingBytes > 0 {
            // Under the lock every line is whole: a last line without its `\n` was left by a writer that died
            // mid-write. End it, so it reads as one malformed line and the next line written stays whole.
            try file.writeAll([10])
            try catchUp()
        }
        return try body()
    }

    /// Folds every line appended since the last look. A truncated journal is folded again from scratch.
    private func catchUp() throws {
        let truncations = reader.truncations
        // Up to the file this writer holds locked and appends to, never past it, even if it was rotated meanwhile.
        reader.hold = fileForReading
        _ = try reader.poll(limit: .max, { ledger.apply($0) }, malformed: { ledger.noteMalformed($0) })
        _ = reader.drainNotices()
        if reader.truncations != truncations {
            reader = try JournalReader(path: path, indexTokens: false, rotationGrace: 0)
            reader.hold = fileForReading
            ledger = Ledger(policy: policy)
            _ = try reader.poll(limit: .max, { ledger.apply($0) }, malformed: { ledger.noteMalformed($0) })
        }
    }

    /// When the path now names another file (the journal was rotated), appends go to the new one. The reader follows
    /// the rotation itself (the old file to its end, then the new one), so the ledger keeps what the old file held.
    private func reopenIfRotated() throws {
        guard let now = JournalFile.identity(ofPath: path), now != file.identity else { return }
        do {
            (file, fileForReading) = try JournalWriter.open(path, create: false)
        } catch StoreError.notFound {
            // Renamed away again this instant: the old file until a new one is there (checked again under the lock).
        }
    }

    /// The file `path` names, open for appending and for reading (the same file: opened again if it was rotated
    /// between the two opens).
    private static func open(_ path: String, create: Bool) throws -> (JournalFile, JournalFile) {
        while true {
            let appending = try JournalFile(openForAppending: path, create: create)
            let reading = try JournalFile(openForReading: path)
            if reading.identity == appending.identity { return (appending, reading) }
        }
    }

    /// The response stored for a completed record, read back from its line; only the status when the line is gone
    /// (a rotated journal: the offset names a line of the old file).
    private func storedResponse(_ key: TokenKey, _ r: TokenRecord) throws -> StoredResponse? {
        let statusOnly = r.responseStatus > 0 ? StoredResponse(status: Int(r.responseStatus)) : nil
        guard r.responseRef >= 0, let e = try reader.event(at: r.responseRef), e.kind == .completed, e.key == key
        else { return statusOnly }
        return e.response ?? statusOnly
    }
}
