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
