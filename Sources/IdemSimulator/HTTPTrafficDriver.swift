import Foundation
import IdemCore
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Drives a payments API over HTTP the way real clients misbehave: retries, duplicate bursts, reused tokens,
/// requests that crash the service mid-flight, failures, and fresh tokens for the same payload.
///
/// Made for `idemtop demo` and end-to-end tests against `idemtop-example-service`: the store then holds what a real
/// service wrote, so purge and replay act on it as in production. Blocking: `run` returns when the time is up.
public final class HTTPTrafficDriver: Sendable {
    /// One kind of client behaviour.
    public enum Kind: String, CaseIterable, Sendable {
        /// A new token, one request.
        case clean
        /// The same request sent again after the answer: a replay.
        case retry
        /// The same request twice at once: one executes, the other gets 409 while it runs.
        case burst
        /// The token sent again with another payload: 422.
        case reusedToken = "reused_token"
        /// `X-Demo-Crash: 1`: the service never completes; the token stays in progress, then stuck.
        case crash
        /// `X-Demo-Fail: 1`, then a retry that executes again.
        case fail
        /// The same payload under a fresh token: executed twice (the double charge idempotency cannot catch).
        case freshToken = "fresh_token"
    }

    /// What to send.
    public struct Config: Sendable {
        public var baseURL: URL
        public var seed: UInt64
        /// Scenarios per second over all workers.
        public var rate: Double
        public var workers: Int
        public var tenants: [String]
        /// How often each kind is picked, relative to the others.
        public var mix: [Kind: Int]

        public init(baseURL: URL, seed: UInt64 = 1, rate: Double = 20, workers: Int = 4,
                    tenants: [String] = ["acme", "globex", "umbrella"],
                    mix: [Kind: Int] = [.clean: 40, .retry: 20, .burst: 10, .reusedToken: 8, .crash: 5, .fail: 7,
                                        .freshToken: 10]) {
            self.baseURL = baseURL
            self.seed = seed
            self.rate = rate
            self.workers = max(1, workers)
            self.tenants = tenants.isEmpty ? ["acme"] : tenants
            self.mix = mix
        }
    }

    /// What a run sent and got back.
    public struct Summary: Sendable {
        public var scenarios: [Kind: Int] = [:]
        public var requests = 0
        public var byStatus: [Int: Int] = [:]
        /// Transport failures (connection refused, timeouts), the first few.
        public var failures: [String] = []
    }

    public let config: Config
    private let summary = Locked(Summary())

    public init(config: Config) { self.config = config }

    /// What the run has sent so far (callable while it runs, e.g. from `shouldStop`).
    public var current: Summary { summary.value }

    /// Sends traffic for `duration` seconds (or until `shouldStop`) and returns what happened.
    public func run(duration: Double, shouldStop: @escaping @Sendable () -> Bool = { false }) -> Summary {
        let end = Date().addingTimeInterval(duration)
        let pause = config.rate > 0 ? Double(config.workers) / config.rate : 0
        let group = DispatchGroup()
        for worker in 0..<config.workers {
            group.enter()
            // Threads of their own: they block on each answer, which must not starve URLSession's queues.
            Thread { [self] in
                defer { group.leave() }
                var rng = SeededRandom(seed: config.seed &+ UInt64(worker) &* 0x9E37_79B9)
                let kinds = config.mix.sorted { $0.key.rawValue < $1.key.rawValue }.map { ($0.key, $0.value) }
                while Date() < end, !shouldStop() {
                    let started = Date()
                    let kind = rng.weighted(kinds)
                    play(kind, rng: &rng)
                    summary.withLock { $0.scenarios[kind, default: 0] += 1 }
                    let left = pause - Date().timeIntervalSince(started)
                    if left > 0 { Thread.sleep(forTimeInterval: min(left, max(0, end.timeIntervalSinceNow))) }
                }
            }.start()
        }
        group.wait()
        return summary.value
    }

    /// Plays one scenario with fresh tokens.
    func play(_ kind: Kind, rng: inout SeededRandom) {
        let tenant = config.tenants[Int(rng.int(0...Int64(config.tenants.count - 1)))]
        let token = rng.uuid()
        let path = rng.chance(0.8) ? "/v1/charges" : "/v1/refunds"
        let body = payload(path: path, rng: &rng)
        @Sendable func send(_ t: String = token, _ b: String = body, extra: [String: String] = [:]) {
            self.send(path: path, tenant: tenant, token: t, body: b, extra: extra)
        }
        switch kind {
        case .clean:
            send()
        case .retry:
            send()
            send()
        case .burst:
            let other = DispatchGroup()
            other.enter()
            Thread { send(); other.leave() }.start()
            send()
            other.wait()
        case .reusedToken:
            send()
            send(token, payload(path: path, rng: &rng))
        case .crash:
            send(extra: ["X-Demo-Crash": "1"])
            send()
        case .fail:
            send(extra: ["X-Demo-Fail": "1"])
            send()
        case .freshToken:
            send()
            send(rng.uuid(), body)
        }
    }

    func payload(path: String, rng: inout SeededRandom) -> String {
        let amount = rng.int(100...99_000)
        if path == "/v1/refunds" {
            return #"{"amount":\#(amount),"charge":"ch_\#(rng.string(14))","reason":"requested_by_customer"}"#
        }
        return #"{"amount":\#(amount),"currency":"eur","customer":"cus_\#(rng.string(10))","card_number":"4242424242424242"}"#
    }

    /// One POST, waiting for the answer; counts its status or its failure.
    func send(path: String, tenant: String, token: String, body: String, extra: [String: String]) {
        var request = URLRequest(url: config.baseURL.appendingPathComponent(path), timeoutInterval: 10)
        request.httpMethod = "POST"
        request.httpBody = Data(body.utf8)
        let headers = ["Content-Type": "application/json", "Idempotency-Key": token, "X-Tenant": tenant,
                       "Authorization": "Bearer sk_test_demo_\(tenant)",
                       // Else Foundation sends "<executable> (unknown version) curl/…", which the store keeps.
                       "User-Agent": "idemtop-demo-client/1"].merging(extra) { $1 }
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        let answer = Locked<(status: Int?, error: String?)>((nil, nil))
        // A semaphore, not the lock: the worker waits for one signal, which a Mutex cannot express.
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { _, response, error in
            let got = ((response as? HTTPURLResponse)?.statusCode, error.map { "\($0.localizedDescription)" })
            answer.withLock { $0 = got }
            done.signal()
        }.resume()
        done.wait()
        let (status, error) = answer.value
        summary.withLock { summary in
            summary.requests += 1
            if let status { summary.byStatus[status, default: 0] += 1 }
            if let error, summary.failures.count < 5 { summary.failures.append(error) }
        }
    }
}
