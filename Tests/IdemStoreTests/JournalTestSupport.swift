import Foundation
import IdemCore
@testable import IdemStore

/// A temporary directory for one test, removed when the test's value goes away.
final class TempDir {
    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/idemtop-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }
}

/// Small helpers shared by the journal tests.
enum J {
    static let t0 = Instant(rfc3339: "2026-11-29T05:55:54.123Z") ?? Instant(ms: 0)
    static let fp = Fingerprint(String(repeating: "ab", count: 32))

    static func request(_ token: String, _ outcome: Outcome = .executed, tenant: String = "acme",
                        at: Instant = t0) -> StoreEvent {
        var e = StoreEvent(kind: .request, at: at, tenant: tenant, token: token, operation: "POST /v1/charges",
                           fingerprint: fp, outcome: outcome)
        if outcome.executes {
            e.expiresAt = at + .hours(24)
            e.lockedUntil = at + .seconds(60)
            e.request = StoredRequest(method: "POST", path: "/v1/charges", headers: ["Content-Type": "application/json"],
                                      body: #"{"amount":100}"#)
        }
        return e
    }

    static func completed(_ token: String, status: Int = 201, tenant: String = "acme", at: Instant = t0) -> StoreEvent {
        StoreEvent(kind: .completed, at: at, tenant: tenant, token: token, responseStatus: status,
                   response: StoredResponse(status: status, headers: ["X": "1"], body: #"{"id":"\#(token)"}"#))
    }

    static func line(_ e: StoreEvent) -> String { EventLineEncoder.line(e) }

    static func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    static func append(_ text: String, to path: String) throws {
        guard let h = FileHandle(forWritingAtPath: path) else { throw StoreError.notFound(path) }
        defer { try? h.close() }
        try h.seekToEnd()
        try h.write(contentsOf: Data(text.utf8))
    }

    /// Polls everything available now.
    static func drain(_ r: JournalReader, limit: Int = .max) throws -> (events: [StoreEvent], malformed: [MalformedEntry]) {
        var events: [StoreEvent] = []
        var bad: [MalformedEntry] = []
        _ = try r.poll(limit: limit, { events.append($0) }, malformed: { bad.append($0) })
        return (events, bad)
    }

    /// The path of the running test binary, to run it again as a child process.
    static var testBinary: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}
