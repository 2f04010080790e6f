/// What a service that keeps its idempotency promise will most likely do with a replay, told from the token's status:
/// the one prediction the dashboard's dialog, the CLI's prompt and its JSON share.
public enum ReplayExpectation: String, Sendable, Hashable, CaseIterable {
    /// Completed: the service answers from its stored response; nothing runs again.
    case replayed
    /// Expired, purged, failed, or no record: the service runs the request again (a payment charges again).
    case executes
    /// In progress or stuck: the service refuses it while the first execution holds the token.
    case conflict

    /// The prediction for a token shown with `status`; nil when the store holds no record of it.
    public init(status: TokenStatus?) {
        switch status {
        case .completed: self = .replayed
        case .inProgress, .stuck: self = .conflict
        case .expired, .purged, .failed, nil: self = .executes
        }
    }

    /// The sentence shown before a replay is sent.
    public var sentence: String {
        switch self {
        case .replayed: return "answered from the stored response, nothing runs again"
        case .executes: return "the service will EXECUTE this request again (a new charge)"
        case .conflict: return "409 expected: the first execution still holds the token"
        }
    }

    /// True when the replay would run the work again: the confirmation then asks for more than a keystroke.
    public var executes: Bool { self == .executes }

    /// The `expect` value of the JSON outputs: `replayed`, `executes` or `conflict`.
    public var json: String { rawValue }
}
