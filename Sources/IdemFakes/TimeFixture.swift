import Foundation
import IdemCore
import IdemStore
import IdemUI

/// A store written on 2026-11-28 (and five minutes past midnight), read at 2026-11-29T10:00:00Z: the time terms'
/// edges (an event exactly at a window's start or end, a token seen before and after a window but not in it, a
/// window across midnight, `HH:MM` on a store from yesterday) and bodies for `body:`; with the answers each filter
/// must give, for the dashboard, `list --filter` and every store kind alike.
public enum TimeFixture {
    public static func t(_ s: String) -> Instant { Instant(rfc3339: s) ?? Instant(ms: 0) }
    /// The clock the answers hold at (`--at` for the CLI).
    public static let now = t("2026-11-29T10:00:00Z")
    static let fp = Fingerprint(String(repeating: "c3", count: 32))

    static func executed(_ token: String, _ at: String, body: String? = nil) -> StoreEvent {
        StoreEvent(kind: .request, at: t(at), tenant: "umbrella", token: token, operation: "POST /v1/charges",
                   fingerprint: fp, outcome: .executed, expiresAt: t(at) + .hours(24), lockedUntil: t(at) + .seconds(60),
                   request: StoredRequest(method: "POST", path: "/v1/charges", headers: ["content-type": "application/json"],
                                          body: body))
    }

    static func completed(_ token: String, _ at: String, body: String? = nil) -> StoreEvent {
        StoreEvent(kind: .completed, at: t(at), tenant: "umbrella", token: token, responseStatus: 201,
                   response: StoredResponse(status: 201, body: body))
    }

    /// The events, in time order.
    public static var events: [StoreEvent] {
        [
            executed("t-span", "2026-11-28T07:00:00Z", body: #"{"customer":"cus_BETA","amount":500}"#),
            executed("t-before", "2026-11-28T07:13:59.999Z"),
            executed("t-start", "2026-11-28T07:14:00Z", body: #"{"customer":"cus_ALPHA","amount":1999}"#),
            completed("t-start", "2026-11-28T07:14:01Z", body: #"{"id":"ch_1","paid":true}"#),
            executed("t-end", "2026-11-28T07:15:00Z", body: #"{"customer":"cus_ALPHA","amount":2000}"#),
            StoreEvent(kind: .request, at: t("2026-11-28T07:30:00Z"), tenant: "umbrella", token: "t-span",
                       operation: "POST /v1/charges", fingerprint: fp, outcome: .replayed),
            executed("t-night", "2026-11-28T23:55:00Z"),
            completed("t-night", "2026-11-28T23:55:01Z", body: #"{"order":"ORD-Night-42"}"#),
            executed("t-morning", "2026-11-29T00:05:00Z", body: "umbrella"),
        ]
    }

    /// Each filter and the tokens it shows at `now`.
    public static let cases: [(filter: String, tokens: Set<String>)] = [
        ("at:07:14..07:15", ["t-start"]),
        ("at:07:15..07:16", ["t-end"]),
        ("at:07:00..07:01", ["t-span"]),
        ("at:07:10..07:20", ["t-before", "t-start", "t-end"]),
        ("at:23:50..00:10", ["t-night", "t-morning"]),
        ("at:2026-11-28T07:14:00Z..2026-11-28T07:14:00.001Z", ["t-start"]),
        ("!at:07:00..08:00", ["t-night", "t-morning"]),
        ("created>=07:14 created<07:15", ["t-start"]),
        ("created>07:14", ["t-end", "t-night", "t-morning"]),
        ("created<07:14", ["t-span", "t-before"]),
        ("seen>07:29 seen<08:00", ["t-span"]),
        ("seen>-10h", ["t-morning"]),
        ("at:-10h..", ["t-morning"]),
    ]

    /// Each `body:` filter and the tokens it shows: request and response bodies, any case; not the tenant.
    public static let bodyCases: [(filter: String, tokens: Set<String>)] = [
        ("body:cus_alpha", ["t-start", "t-end"]),
        ("body:ord-night", ["t-night"]),
        ("body:\"paid\":true", ["t-start"]),
        ("body:cus_ALPHA at:07:14..07:15", ["t-start"]),
        ("body:umbrella", ["t-morning"]),
        ("body:nowhere", []),
    ]
}

extension TimeFixture {
    /// Writes the events as a journal at `path`.
    public static func writeJournal(_ path: String) throws {
        let text = events.map { EventLineEncoder.line($0) + "\n" }.joined()
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
            throw StoreError.io(path: path, why: "cannot create")
        }
    }

    /// Writes the events as a SQLite store at `path`.
    public static func writeSQLite(_ path: String) throws {
        try SQLiteBulkLoader(path: path, create: true).load(events)
    }

    /// The store at `location` read through its driver into a state at `now`, indexed.
    public static func state(reading location: StoreLocation, registry: StoreRegistry = .files) throws -> AppState {
        var s = AppState(storeName: location.displayName, storeKind: location.kind, now: now)
        let reader = try registry.reader(location, mode: .readOnly)
        var batch: [StoreEvent] = []
        while try reader.poll(limit: 10_000, { batch.append($0) }, malformed: { _ in }) > 0 {}
        _ = s.update(.events(batch, malformed: []))
        _ = s.update(.tick(now))
        s.reindex()
        return s
    }
}
