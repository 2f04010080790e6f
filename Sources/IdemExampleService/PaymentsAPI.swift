import Foundation
import IdemCore
import IdemStore

/// The example service's payments API, without the HTTP server: one request in, one answer out.
///
/// Follows the IETF idempotency-key draft: 400 without the key header, 409 while the first request is in progress,
/// 422 when the key is reused with another payload, and the stored response, with `Idempotent-Replayed: true`, for a
/// duplicate. Every decision goes through the library's writer API, so idemtop sees exactly what a real service does.
///
/// `@unchecked Sendable`: its only non-Sendable part, `writer`, is touched only on the serial `queue` (`onWriter`).
public final class PaymentsAPI: @unchecked Sendable {
    /// One HTTP request as the API sees it: header names as sent.
    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var headers: [String: String]
        public var body: String?
        public init(method: String, path: String, headers: [String: String], body: String?) {
            self.method = method
            self.path = path
            self.headers = headers
            self.body = body
        }

        /// The value of a header, whatever the case of its name.
        public func header(_ name: String) -> String? {
            headers.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value
        }
    }

    /// How the API behaves.
    public struct Options: Sendable {
        /// Simulated work time of an execution, in milliseconds.
        public var workMs: Int
        /// The tenant of requests that send no `X-Tenant` header.
        public var defaultTenant: String
        /// When set, each execution's work goes on until this file exists (after `workMs`): a test holds a request
        /// in flight for exactly as long as it needs, whatever the machine's load.
        public var holdUntil: String?
        public init(workMs: Int = 20, defaultTenant: String = "example", holdUntil: String? = nil) {
            self.workMs = workMs
            self.defaultTenant = defaultTenant
            self.holdUntil = holdUntil
        }
    }

    public static let idempotencyHeader = "Idempotency-Key"
    public static let replayedHeader = "Idempotent-Replayed"
    /// A request with `X-Demo-Crash: 1` "crashes" mid-flight: the token stays in progress (then stuck).
    public static let crashHeader = "X-Demo-Crash"
    /// A request with `X-Demo-Fail: 1` fails: recorded with `fail`, so a retry executes again.
    public static let failHeader = "X-Demo-Fail"
    static let routes: Set<String> = ["POST /v1/charges", "POST /v1/refunds"]
    /// Headers that belong to one connection, not to the request: never stored.
    static let hopByHop: Set<String> = ["host", "content-length", "connection", "transfer-encoding", "keep-alive",
                                        "accept-encoding", "expect", "upgrade", "te"]

    private let writer: any TokenWriter
    /// The writer's own serial queue: its calls may wait for the store's lock, and must not block Swift
    /// concurrency threads the HTTP server needs meanwhile.
    private let queue = DispatchQueue(label: "idemtop.example-service.writer")
    private let options: Options
    private let log: @Sendable (String) -> Void

    /// An API recording into `writer`; `log` gets one line per request.
    public init(writer: any TokenWriter, options: Options = Options(), log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.writer = writer
        self.options = options
        self.log = log
    }

    /// Answers one request. Never throws: store errors become a 500 with a one-line JSON error.
    public func handle(_ request: Request) async -> StoredResponse {
        let route = "\(request.method.uppercased()) \(request.path)"
        guard PaymentsAPI.routes.contains(route) else { return Self.error(404, "no route \(route)") }
        guard let token = request.header(Self.idempotencyHeader), !token.isEmpty else {
            return Self.error(400, "the \(Self.idempotencyHeader) header is required")
        }
        let tenant = request.header("X-Tenant") ?? options.defaultTenant
        let fingerprint = Fingerprint.of(method: request.method, path: request.path, body: request.body)
        // The demo's fault headers are not part of the request: a replay of the stored request runs normally.
        let dropped = Self.hopByHop.union([Self.crashHeader.lowercased(), Self.failHeader.lowercased()])
        let kept = request.headers.filter { !dropped.contains($0.key.lowercased()) }
        let stored = StoredRequest(method: request.method.uppercased(), path: request.path, headers: kept,
                                   body: request.body)
        do {
            let begun = try await onWriter { writer in
                try writer.begin(tenant: tenant, token: token, operation: route, fingerprint: fingerprint,
                                 request: stored)
            }
            log("\(route) \(tenant)/\(token) \(begun.outcome.rawValue)")
            switch begun {
            case .conflict:
                return Self.error(409, "a request with this \(Self.idempotencyHeader) is still in progress")
            case .mismatch:
                return Self.error(422, "this \(Self.idempotencyHeader) was used with another request payload")
            case .replay(let response):
                var answer = response ?? StoredResponse(status: 200, headers: [:], body: nil)
                answer.headers[Self.replayedHeader] = "true"
                return answer
            case .execute(let ticket, _):
                return try await execute(ticket, request: request, route: route)
            }
        } catch {
            log("\(route) \(tenant)/\(token) error: \(error)")
            return Self.error(500, "\(error)")
        }
    }

    /// Does the work (a sleep), then records the response or the failure.
    private func execute(_ ticket: Ticket, request: Request, route: String) async throws -> StoredResponse {
        if options.workMs > 0 { try? await Task.sleep(nanoseconds: UInt64(options.workMs) * 1_000_000) }
        if let gate = options.holdUntil {
            while !FileManager.default.fileExists(atPath: gate) { try? await Task.sleep(nanoseconds: 10_000_000) }
        }
        if request.header(Self.crashHeader) == "1" {
            log("\(route) \(ticket.key) crashed: the work never completes")
            return Self.error(500, "simulated crash: the work never completed")
        }
        if request.header(Self.failHeader) == "1" {
            try await onWriter { try $0.fail(ticket, error: "simulated failure (card network timeout)") }
            return Self.error(502, "simulated failure: try again")
        }
        let response = Self.result(route: route, body: request.body)
        do {
            try await onWriter { try $0.complete(ticket, response: response) }
        } catch StoreError.superseded {
            // Purged (or executed anew) while the work ran: the caller still gets what was done.
            log("\(route) \(ticket.key) superseded: the token was purged while the work ran")
        }
        return response
    }

    /// The answer of an execution: a fresh object id, so an execution anew is visibly another one.
    static func result(route: String, body: String?) -> StoredResponse {
        let refund = route.hasSuffix("refunds")
        let id = (refund ? "re_" : "ch_") + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        var object: [String: Any] = ["id": id, "object": refund ? "refund" : "charge", "status": "succeeded"]
        if let body, let data = body.data(using: .utf8),
           let fields = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            for key in ["amount", "currency", "customer", "charge", "description"] where fields[key] != nil {
                object[key] = fields[key]
            }
        }
        return StoredResponse(status: refund ? 200 : 201, headers: ["Content-Type": "application/json"],
                              body: json(object))
    }

    static func error(_ status: Int, _ message: String) -> StoredResponse {
        StoredResponse(status: status, headers: ["Content-Type": "application/json"], body: json(["error": message]))
    }

    static func json(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// Runs `body` on the writer's serial queue (one call at a time: the writer is one connection or descriptor)
    /// and suspends the calling task until it is done.
    private func onWriter<T: Sendable>(_ body: @escaping @Sendable (any TokenWriter) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body(self.writer) }) }
        }
    }
}
