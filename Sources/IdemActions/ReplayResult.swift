import IdemCore

/// What a replay sent, what came back, and how it compares with what the store holds.
public struct ReplayResult: Sendable {
    public var plan: ReplayPlan
    public var answer: ReplayAnswer
    /// The response the store held for the token when the replay was sent (nil when none).
    public var stored: StoredResponse?
    /// The `Idempotent-Replayed` header of the answer, if the service sent one.
    public var replayedHeader: String? { answer.header("Idempotent-Replayed") }
    /// Stored body against the answer's, both pretty-printed with secrets masked.
    public var diff: [DiffLine]
    /// The admin event recorded, or nil when recording failed (`recordError` says why; the request was sent).
    public var event: StoreEvent?
    public var recordError: String?

    /// True when the bodies are the same line for line.
    public var bodiesMatch: Bool { diff.allSatisfy { if case .same = $0 { return true } else { return false } } }

    public init(plan: ReplayPlan, answer: ReplayAnswer, stored: StoredResponse?, mask: SecretMask,
                event: StoreEvent?, recordError: String?) {
        self.plan = plan
        self.answer = answer
        self.stored = stored
        self.diff = LineDiff.diff(old: stored?.body.map(mask.body) ?? "", new: answer.body.map(mask.body) ?? "")
        self.event = event
        self.recordError = recordError
    }
}
