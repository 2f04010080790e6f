import IdemActions
import IdemCore

/// `replay --format json`: the request as it is (or would be) sent, secrets masked, and for a sent replay the
/// stored response beside the answer, the diff and the admin event.
public struct ReplayReport: Encodable, Sendable {
    /// A stored response or the answer.
    public struct Response: Encodable, Sendable {
        public var status: Int
        public var headers: [String: String]
        @Nullable public var body: String?
    }

    public struct Diff: Encodable, Sendable {
        /// `same`, `removed` or `added`.
        public var op: String
        public var line: String
    }

    public var dryRun: Bool
    /// What the service will most likely do, from the token's status: `replayed`, `executes` or `conflict`.
    public var expect: String
    public var tenant: String
    public var token: String
    public var method: String
    public var url: String
    public var headers: [String: String]
    @Nullable public var body: String?
    public var curl: String
    /// Only for a sent replay: these stay out of a dry run's object.
    public var sent: Sent?

    /// What a sent replay adds.
    public struct Sent: Encodable, Sendable {
        @Nullable public var stored: Response?
        public var answer: Response
        @Nullable public var idempotentReplayed: String?
        public var elapsedMs: Int
        public var bodiesMatch: Bool
        public var diff: [Diff]
        @Nullable public var event: EventReport?
        @Nullable public var recordError: String?

        enum CodingKeys: String, CodingKey {
            case stored, answer, diff, event
            case idempotentReplayed = "idempotent_replayed", elapsedMs = "elapsed_ms", bodiesMatch = "bodies_match"
            case recordError = "record_error"
        }
    }

    enum CodingKeys: String, CodingKey {
        case tenant, token, method, url, headers, body, curl
        case dryRun = "dry_run", expect
    }

    /// The dry run's report for `plan`.
    public init(plan: ReplayPlan, mask: SecretMask, expect: ReplayExpectation) {
        dryRun = true
        self.expect = expect.json
        tenant = plan.key.tenant
        token = plan.key.token
        method = plan.method
        url = plan.url.absoluteString
        headers = ReplayReport.masked(Dictionary(plan.headers.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }),
                                      mask)
        body = plan.body.map(mask.body)
        curl = plan.curl(mask: mask)
    }

    /// The report of a sent replay.
    public init(result r: ReplayResult, mask: SecretMask, expect: ReplayExpectation) {
        self.init(plan: r.plan, mask: mask, expect: expect)
        dryRun = false
        func response(_ status: Int, _ headers: [String: String], _ body: String?) -> Response {
            Response(status: status, headers: ReplayReport.masked(headers, mask), body: body.map(mask.body))
        }
        sent = Sent(stored: r.stored.map { response($0.status, $0.headers, $0.body) },
                    answer: response(r.answer.status, r.answer.headers, r.answer.body),
                    idempotentReplayed: r.replayedHeader, elapsedMs: r.answer.elapsedMs, bodiesMatch: r.bodiesMatch,
                    diff: r.diff.map { d in
                        switch d {
                        case .same(let l): return Diff(op: "same", line: l)
                        case .removed(let l): return Diff(op: "removed", line: l)
                        case .added(let l): return Diff(op: "added", line: l)
                        }
                    },
                    event: r.event.map(EventReport.init), recordError: r.recordError)
    }

    /// The plan's keys, and a sent replay's beside them in the same object.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(dryRun, forKey: .dryRun)
        try c.encode(expect, forKey: .expect)
        try c.encode(tenant, forKey: .tenant)
        try c.encode(token, forKey: .token)
        try c.encode(method, forKey: .method)
        try c.encode(url, forKey: .url)
        try c.encode(headers, forKey: .headers)
        try c.encode(_body, forKey: .body)
        try c.encode(curl, forKey: .curl)
        try sent?.encode(to: encoder)
    }

    static func masked(_ headers: [String: String], _ mask: SecretMask) -> [String: String] {
        Dictionary(mask.headers(headers), uniquingKeysWith: { a, _ in a })
    }
}
