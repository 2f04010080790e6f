import IdemCore

extension TokenDetail {
    /// The detail a timeline gives (the journal's, read back line by line): the request of the latest execution, and
    /// the response or error that followed it.
    init(latestExecutionOf key: TokenKey, in timeline: [StoreEvent]) {
        var request: StoredRequest?
        var response: StoredResponse?
        var error: String?
        for e in timeline {
            switch e.kind {
            case .request where e.outcome?.executes == true:
                request = e.request
                response = nil
                error = nil
            case .completed: response = e.response ?? e.responseStatus.map { StoredResponse(status: $0) }
            case .failed: error = e.error
            default: break
            }
        }
        self.init(key: key, request: request, response: response, error: error, timeline: timeline)
    }
}
