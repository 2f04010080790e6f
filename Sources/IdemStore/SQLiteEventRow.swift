import Foundation
import IdemCore

/// How a `StoreEvent` maps onto an `idem_events` row: the insert, the selects, and decoding a row back.
///
/// Decoding is strict about what the fold needs (seq, at, kind, tenant, token; a known outcome on requests) and
/// reports anything else as a `MalformedEntry` instead of guessing.
enum SQLiteEventRow {
    /// Inserts one event; `seq` is assigned by SQLite. Parameters 1-20 in `bind` order.
    static let insertSQL = """
        INSERT INTO idem_events (at, kind, tenant, token, operation, fingerprint, stored_fingerprint, outcome,
            expires_at, locked_until, response_status, error, actor, reason, saw_status, saw_version, target,
            result_status, request, response)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)
        """

    /// The columns `decode` reads, in its order; bodies (columns 19 and 20) only when asked for.
    static func columns(bodies: Bool) -> String {
        "seq, at, kind, tenant, token, operation, fingerprint, stored_fingerprint, outcome, expires_at, locked_until, "
            + "response_status, error, actor, reason, saw_status, saw_version, target, result_status"
            + (bodies ? ", request, response" : "")
    }

    /// Every event after a seq, oldest first, without bodies: what `poll` reads. Parameters: seq, limit.
    static let pollSQL = "SELECT \(columns(bodies: false)) FROM idem_events WHERE seq > ?1 ORDER BY seq LIMIT ?2"

    /// One token's events with bodies, oldest first: what `detail` reads. Parameters: tenant, token.
    static let timelineSQL =
        "SELECT \(columns(bodies: true)) FROM idem_events WHERE tenant = ?1 AND token = ?2 ORDER BY seq"

    /// The JSON text of an event's bodies, encoded once for both the event row and the token row.
    struct Bodies {
        var request: String?
        var response: String?
        init(_ e: StoreEvent, json: SQLiteJSON) {
            request = e.request.map(json.encode)
            response = e.response.map(json.encode)
        }
    }

    /// Binds `event` to a statement prepared from `insertSQL`.
    static func bind(_ e: StoreEvent, bodies: Bodies, to s: SQLiteStatement) throws {
        try s.bind(1, e.at.ms)
        try s.bind(2, e.kind.rawValue)
        try s.bind(3, e.tenant)
        try s.bind(4, e.token)
        try s.bind(5, e.operation)
        try s.bind(6, e.fingerprint?.description)
        try s.bind(7, e.storedFingerprint?.description)
        try s.bind(8, e.outcome?.rawValue)
        try s.bind(9, e.expiresAt?.ms)
        try s.bind(10, e.lockedUntil?.ms)
        try s.bind(11, e.responseStatus)
        try s.bind(12, e.error)
        try s.bind(13, e.actor)
        try s.bind(14, e.reason)
        try s.bind(15, e.sawStatus?.rawValue)
        try s.bind(16, e.sawVersion)
        try s.bind(17, e.target)
        try s.bind(18, e.resultStatus)
        try s.bind(19, bodies.request)
        try s.bind(20, bodies.response)
    }

    /// A row the reader skips, and why.
    struct Malformed: Error {
        var seq: Int64
        var reason: String
        var entry: MalformedEntry { MalformedEntry(position: seq, reason: reason) }
    }

    /// Decodes the current row of a statement built from `columns(bodies:)`; `json` decodes bodies when given.
    static func decode(_ s: SQLiteStatement, json: SQLiteJSON?) throws(Malformed) -> StoreEvent {
        guard let seq = s.int64(0) else { throw Malformed(seq: -1, reason: "seq is not an integer") }
        func fail(_ reason: String) -> Malformed { Malformed(seq: seq, reason: reason) }
        func requiredText(_ column: Int32, _ name: String) throws(Malformed) -> String {
            guard let text = s.text(column) else { throw fail("\(name) is NULL") }
            return text
        }
        func optionalInt(_ column: Int32, _ name: String) throws(Malformed) -> Int64? {
            if s.isNull(column) { return nil }
            guard let v = s.int64(column) else { throw fail("\(name) is not an integer") }
            return v
        }
        func optionalSmallInt(_ column: Int32, _ name: String) throws(Malformed) -> Int? {
            guard let v = try optionalInt(column, name) else { return nil }
            guard let small = Int(exactly: v), small.magnitude <= UInt(Int32.max) else {
                throw fail("\(name) is out of range")
            }
            return small
        }

        if s.isNull(1) { throw fail("at is NULL") }
        guard let at = s.int64(1) else { throw fail("at is not an integer (epoch milliseconds)") }
        let kindText = try requiredText(2, "kind")
        guard let kind = EventKind(rawValue: kindText) else { throw fail("unknown kind '\(kindText)'") }
        let tenant = try requiredText(3, "tenant")
        let token = try requiredText(4, "token")
        var e = StoreEvent(seq: seq, kind: kind, at: Instant(ms: at), tenant: tenant, token: token, ref: seq)
        e.operation = s.text(5)
        e.fingerprint = s.withBytes(6) { $0.map(Fingerprint.init(bytes:)) }
        e.storedFingerprint = s.withBytes(7) { $0.map(Fingerprint.init(bytes:)) }
        if let text = s.text(8) {
            guard let outcome = Outcome(rawValue: text) else { throw fail("unknown outcome '\(text)'") }
            e.outcome = outcome
        } else if kind == .request {
            throw fail("a request event with no outcome")
        }
        e.expiresAt = try optionalInt(9, "expires_at").map(Instant.init(ms:))
        e.lockedUntil = try optionalInt(10, "locked_until").map(Instant.init(ms:))
        e.responseStatus = try optionalSmallInt(11, "response_status")
        e.error = s.text(12)
        e.actor = s.text(13)
        e.reason = s.text(14)
        if let text = s.text(15) {
            guard let saw = TokenStatus(rawValue: text) else { throw fail("unknown saw_status '\(text)'") }
            e.sawStatus = saw
        }
        e.sawVersion = try optionalSmallInt(16, "saw_version")
        e.target = s.text(17)
        e.resultStatus = try optionalSmallInt(18, "result_status")
        if let json {
            e.request = s.text(19).flatMap { json.decode(StoredRequest.self, from: $0) }
            e.response = s.text(20).flatMap { json.decode(StoredResponse.self, from: $0) }
        }
        return e
    }
}
