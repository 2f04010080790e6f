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

extension ReplayResult {
    /// The answer beside the stored response, as the CLI prints it and a dashboard panel can show it: status, the
    /// replay header, the body diff, and the admin event recorded. Store text is made visible.
    public var reportLines: [String] {
        let r = self
        func pad(_ s: String) -> String { s.padding(toLength: 22, withPad: " ", startingAt: 0) }
        var lines = [
            "replayed \(Sanitizer.visible(r.plan.key.description)): \(r.plan.method) \(Sanitizer.visible(r.plan.url.absoluteString)) in \(r.answer.elapsedMs) ms",
            "",
            pad("") + pad("stored") + "answer",
            pad("status") + pad(r.stored.map { "\($0.status)" } ?? "(none)") + "\(r.answer.status)",
            pad("Idempotent-Replayed") + pad("") + Sanitizer.visible(r.replayedHeader ?? "(absent)"),
            "",
        ]
        if r.bodiesMatch {
            lines.append("body: the same as the stored response")
        } else {
            lines.append("body (- stored, + answer):")
            lines += r.diff.map { Sanitizer.visible($0.rendered) }
        }
        if let e = r.event {
            lines.append("")
            lines.append("recorded: replay by \(Sanitizer.visible(e.actor ?? "?")) -> \(e.resultStatus.map(String.init) ?? "-")")
        }
        return lines
    }
}
