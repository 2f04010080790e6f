import IdemCore

/// Builds realistic payments-API requests and responses for the simulator.
struct Payments {
    static let operations: [(String, Int)] = [("/v1/charges", 70), ("/v1/refunds", 20), ("/v1/payouts", 10)]

    /// A request body for `path`, with a secret header and a card number so masking has something to mask.
    static func request(path: String, token: String, amount: Int64, rng: inout SeededRandom) -> StoredRequest {
        let body: String
        switch path {
        case "/v1/refunds":
            body = #"{"amount":\#(amount),"charge":"ch_\#(rng.string(14))","reason":"requested_by_customer"}"#
        case "/v1/payouts":
            body = #"{"amount":\#(amount),"currency":"eur","destination":"ba_\#(rng.string(12))"}"#
        default:
            body = #"{"amount":\#(amount),"currency":"eur","customer":"cus_\#(rng.string(10))","#
                + #""card_number":"4242424242424242","description":"order \#(rng.int(1000...99999))"}"#
        }
        return StoredRequest(
            method: "POST", path: path,
            headers: [
                "Content-Type": "application/json",
                "Authorization": "Bearer sk_live_\(rng.string(24))",
                "Idempotency-Key": token,
            ],
            body: body)
    }

    /// The response the service stores for a request.
    static func response(for request: StoredRequest, rng: inout SeededRandom) -> StoredResponse {
        let prefix: String
        switch request.path {
        case "/v1/refunds": prefix = "re"
        case "/v1/payouts": prefix = "po"
        default: prefix = "ch"
        }
        let id = "\(prefix)_\(rng.string(16))"
        let body = request.body.map { b in
            "{\"id\":\"\(id)\",\"status\":\"succeeded\",\"request\":\(b)}"
        } ?? "{\"id\":\"\(id)\",\"status\":\"succeeded\"}"
        return StoredResponse(status: request.path == "/v1/charges" ? 201 : 200,
                              headers: ["Content-Type": "application/json"], body: body)
    }

    static let failures = [
        "upstream timeout after 30s (card network)",
        "connection reset by ledger-service",
        "database deadlock detected; transaction rolled back",
    ]
}
