import Foundation
import IdemActions
import IdemCore
import Testing

/// Building the replayed request: secrets, the idempotency header, hop-by-hop headers, targets, the curl line.
@Suite struct ReplayPlanTests {
    let key = TokenKey(tenant: "acme", token: "tok-1")
    let request = StoredRequest(
        method: "post", path: "/v1/charges",
        headers: ["Content-Type": "application/json", "Authorization": "Bearer sk_live_x", "Host": "old:1",
                  "Content-Length": "12", "idempotency-key": "stale", "X-Tenant": "acme"],
        body: #"{"amount":100,"card_number":"4242424242424242"}"#)

    @Test func secretsAreNotSentUnlessResuppliedAndTheTokenTravelsInItsHeader() throws {
        let plan = try ReplayPlan(key: key, request: request, options: ReplayOptions(target: "http://127.0.0.1:8080/"))
        #expect(plan.method == "POST")
        #expect(plan.url.absoluteString == "http://127.0.0.1:8080/v1/charges")
        #expect(plan.missingSecrets == ["Authorization"])
        let names = plan.headers.map(\.name)
        #expect(names == ["Content-Type", "X-Tenant", "User-Agent", "Idempotency-Key"],
                "no Host, Content-Length, secret or stale key; a User-Agent of our own when none was stored")
        #expect(plan.headers.contains(HeaderField(name: "User-Agent", value: "idemtop-replay")))
        #expect(plan.headers.last == HeaderField(name: "Idempotency-Key", value: "tok-1"))
        #expect(plan.body == request.body, "the body goes out exactly as stored")

        let given = ReplayOptions(target: "https://pay.example", headers: [HeaderField(name: "authorization", value: "Bearer new")],
                                  idempotencyHeader: "X-Idem")
        let again = try ReplayPlan(key: key, request: request, options: given)
        #expect(again.missingSecrets.isEmpty)
        #expect(again.headers.contains(HeaderField(name: "authorization", value: "Bearer new")))
        #expect(again.headers.contains(HeaderField(name: "X-Idem", value: "tok-1")))
        #expect(again.headers.contains { $0.name == "idempotency-key" }, "another header name leaves the stored one alone")
        var stored = request
        stored.headers["user-agent"] = "shop-client/2.1"
        let withAgent = try ReplayPlan(key: key, request: stored, options: ReplayOptions(target: "http://127.0.0.1:8080"))
        #expect(withAgent.headers.filter { $0.name.lowercased() == "user-agent" } == [HeaderField(name: "user-agent", value: "shop-client/2.1")])
    }

    @Test(arguments: ["ftp://x", "127.0.0.1:8080", "http://", "not a url", ""])
    func aTargetThatIsNotAnHTTPBaseURLIsRefused(_ target: String) {
        #expect(throws: ActionError.self) {
            try ReplayPlan(key: key, request: request, options: ReplayOptions(target: target))
        }
    }

    @Test func theCurlLineQuotesForAShellAndNeverShowsASecret() throws {
        let options = ReplayOptions(target: "http://127.0.0.1:9", headers: [HeaderField(name: "Authorization", value: "Bearer sk_live_y")])
        let plan = try ReplayPlan(key: TokenKey(tenant: "a", token: "it's"), request: request, options: options)
        let curl = plan.curl()
        #expect(curl.hasPrefix("curl -sS -i -X POST "))
        #expect(curl.contains(#"-H 'Idempotency-Key: it'\''s'"#))
        #expect(curl.contains("'Authorization: Bearer ****'"))
        #expect(!curl.contains("sk_live") && !curl.contains("4242424242424242"))
        #expect(curl.contains(#""card_number":"****4242""#))
        #expect(curl.hasSuffix("http://127.0.0.1:9/v1/charges"))
        #expect(plan.curlMasksSecrets())

        let plain = StoredRequest(method: "POST", path: "/v1/refunds", body: #"{"b": 1, "a": 2}"#)
        let p2 = try ReplayPlan(key: key, request: plain, options: ReplayOptions(target: "http://h"))
        #expect(p2.curl().contains(#"--data-binary '{"b": 1, "a": 2}'"#), "a body without secrets prints exactly")
        #expect(!p2.curlMasksSecrets())
    }

    @Test func headerFieldsParse() {
        #expect(HeaderField(parsing: "Authorization: Bearer a:b") == HeaderField(name: "Authorization", value: "Bearer a:b"))
        #expect(HeaderField(parsing: "X-A:1") == HeaderField(name: "X-A", value: "1"))
        #expect(HeaderField(parsing: "no colon") == nil)
        #expect(HeaderField(parsing: ": v") == nil)
    }
}

/// The line diff of stored and answered bodies.
@Suite struct LineDiffTests {
    @Test func sameLinesStayAndChangesShowAsRemovedThenAdded() {
        let d = LineDiff.diff(old: "{\n  a\n  id 1\n  b\n}", new: "{\n  a\n  id 2\n  b\n}")
        #expect(d == [.same("{"), .same("  a"), .removed("  id 1"), .added("  id 2"), .same("  b"), .same("}")])
        #expect(d.map(\.rendered)[2] == "-   id 1")
    }

    @Test func emptyAndDisjointTexts() {
        #expect(LineDiff.diff(old: "", new: "").isEmpty)
        #expect(LineDiff.diff(old: "", new: "x") == [.added("x")])
        #expect(LineDiff.diff(old: "x\ny", new: "") == [.removed("x"), .removed("y")])
    }

    @Test func longTextsFallBackToPositions() {
        let a = (0..<4000).map(String.init)
        var b = a
        b[10] = "changed"
        let d = LineDiff.diff(old: a, new: b)
        #expect(d.filter { if case .same = $0 { return false } else { return true } } == [.removed("10"), .added("changed")])
    }
}
