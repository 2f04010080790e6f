extension TokenStatus {
    /// What purging a token shown with this status does, in one sentence: the "what will happen" line of a purge
    /// confirmation (the CLI's listing, the dashboard's dialog).
    public var purgeConsequence: String {
        switch self {
        case .completed:
            return "its stored response is forgotten: the next request with this token executes anew (a client retry charges again)"
        case .inProgress, .stuck:
            return "the execution in flight can no longer complete (its result is refused as superseded); the next request executes anew"
        case .failed:
            return "clients see no change (a failed token already executes anew); the purge is recorded"
        case .expired:
            return "clients see no change (an expired token already executes anew); the purge is recorded"
        case .purged:
            return "nothing: it is already purged"
        }
    }
}

/// How a purge of one token is put to the operator and reported: the question's verb, the result line's verb and
/// the "what will happen" sentence. A purge forgets the token (`standard(for:)`); a store whose purge does
/// something else for some statuses says so through its driver (`StoreDriver.purgeWording`), so the operator
/// confirms what will really happen and the result line says what did (a stuck rocket-rides key in Postgres has
/// its lock released and its row kept).
public struct PurgeWording: Sendable, Hashable {
    /// The action as it opens a question: "Purge", "Release the lock of".
    public var action: String
    /// What was done, as it opens the result line: "purged", "released the lock of".
    public var done: String
    /// What will happen, in one sentence without its full stop.
    public var consequence: String
    /// The dialog's button that does it: "Purge", "Release".
    public var button: String

    public init(action: String, done: String, consequence: String, button: String = "Purge") {
        self.action = action
        self.done = done
        self.consequence = consequence
        self.button = button
    }

    /// The wording of every store's purge: the token is forgotten.
    public static func standard(for status: TokenStatus) -> PurgeWording {
        PurgeWording(action: "Purge", done: "purged", consequence: status.purgeConsequence)
    }
}
