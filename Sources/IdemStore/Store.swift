import Foundation
import IdemCore

/// Errors a store reports: each prints as one clear line.
public enum StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    case usage(String)
    case notFound(String)
    case notAStore(path: String, why: String)
    case io(path: String, why: String)
    case locked(path: String)
    case readOnly(String)
    /// `complete`/`fail` for an execution the store no longer holds (purged, or executed anew meanwhile).
    case superseded(TokenKey)
    case unknownToken(TokenKey)

    public var description: String {
        switch self {
        case .usage(let s): return s
        case .notFound(let p): return "\(p): no such file"
        case .notAStore(let p, let why): return "\(p): not an idemtop store (\(why))"
        case .io(let p, let why): return "\(p): \(why)"
        case .locked(let p): return "\(p): the database is locked by another process; try again"
        case .readOnly(let what): return "refused: the store is open read-only (\(what))"
        case .superseded(let k): return "\(k): this execution was superseded (purged or executed anew)"
        case .unknownToken(let k): return "\(k): no such token in the store"
        }
    }
}

/// Where a reader is while loading a store: what the dashboard's progress bar shows.
public struct LoadProgress: Sendable, Hashable {
    /// Bytes (journal) or rows (SQLite) read so far.
    public var done: Int64
    /// The total known when loading began (0 when unknown).
    public var total: Int64
    public var unit: String
    public init(done: Int64 = 0, total: Int64 = 0, unit: String = "bytes") {
        self.done = done
        self.total = total
        self.unit = unit
    }
    public var fraction: Double { total > 0 ? min(1, Double(done) / Double(total)) : 1 }
}

/// Everything a store holds about one token: what the detail view and `idemtop show` print.
public struct TokenDetail: Sendable {
    public var key: TokenKey
    public var request: StoredRequest?
    public var response: StoredResponse?
    public var error: String?
    /// Every event with this token, oldest first, with bodies where the store has them.
    public var timeline: [StoreEvent]

    public init(key: TokenKey, request: StoredRequest?, response: StoredResponse?, error: String?, timeline: [StoreEvent]) {
        self.key = key
        self.request = request
        self.response = response
        self.error = error
        self.timeline = timeline
    }
}

/// Reads a store's events in order and follows it as it grows.
///
/// A reader owns its file descriptor or connection; call it from one task at a time.
public protocol EventReader: AnyObject {
    var location: StoreLocation { get }

    /// Reads up to `limit` events appended since the last call and hands them to `sink` in store order.
    /// Returns how many it read; 0 means nothing new. Never waits for new data. Malformed lines or rows are reported
    /// through `malformed` and skipped.
    func poll(limit: Int, _ sink: (StoreEvent) -> Void, malformed: (MalformedEntry) -> Void) throws -> Int

    /// How far the first read through the store has come.
    var progress: LoadProgress { get }

    /// Everything the store holds on one token, bodies included.
    func detail(for key: TokenKey) throws -> TokenDetail

    /// Things the reader noticed and went on from (a truncated or rotated journal), each one line, oldest first;
    /// calling it empties the list.
    func drainNotices() -> [String]

    /// True while the reader sees a fixed copy of the store that will not follow later changes (a SQLite file in
    /// a folder it cannot write, with no writer open): the dashboard's header says so.
    var isSnapshot: Bool { get }

    /// How many tokens the store holds, when it can say before it is read (Redis' DBSIZE, Postgres' row estimate);
    /// 0 when it cannot (a journal or SQLite file). A ledger reserves room for that many at once.
    var expectedTokens: Int { get }
}

extension EventReader {
    public var isSnapshot: Bool { false }
    public var expectedTokens: Int { 0 }
}

/// The writer API a service calls around its work: `begin`, then `complete` or `fail`.
///
/// `begin` decides and records atomically across processes: two processes racing on one token execute it once.
public protocol TokenWriter: AnyObject {
    func begin(tenant: String, token: String, operation: String, fingerprint: Fingerprint,
               request: StoredRequest?) throws -> BeginResult
    func complete(_ ticket: Ticket, response: StoredResponse) throws
    func fail(_ ticket: Ticket, error: String) throws
}

/// How a purge ended.
public enum PurgeOutcome: Sendable, Hashable {
    /// The token is purged; the admin event written.
    case purged(StoreEvent)
    /// The store changed since the operator looked (or the token is gone or already purged): nothing was written.
    case refused(String)
}

/// The guarded actions on a store: a compare-and-set purge, and the audit trail of replays.
public protocol TokenAdmin: AnyObject {
    /// Purges `key` if the store still holds what `expect` says, recording an admin event with who and why.
    func purge(_ key: TokenKey, expect: PurgeExpectation, actor: String, reason: String) throws -> PurgeOutcome
    /// Records an admin `replay` event (who, why, target, the answer's status).
    func recordReplay(_ event: StoreEvent) throws
}

/// A reader that can hand its events over as whole arrays, without copying each one: what `ReadAhead` uses when
/// a reader offers it.
public protocol BatchReader: EventReader {
    /// Up to `limit` of the next events, in store order; empty when there is nothing new.
    func pollBatch(limit: Int, malformed: (MalformedEntry) -> Void) throws -> [StoreEvent]
}
