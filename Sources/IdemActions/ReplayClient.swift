import Foundation
import IdemCore
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Sends a `ReplayPlan` with Foundation's URLSession (the system libcurl on Linux); failures become `ActionError`s.
public enum ReplayClient {
    /// Sends `plan` and waits up to `timeout` seconds for the whole answer.
    public static func send(_ plan: ReplayPlan, timeout: Double) async throws -> ReplayAnswer {
        try await withCheckedThrowingContinuation { continuation in
            start(plan, timeout: timeout) { continuation.resume(with: $0) }
        }
    }

    /// Sends from synchronous code (the CLI, test threads), blocking the calling thread until the answer or the
    /// failure. Uses no Swift concurrency threads, so it may be called from any thread.
    public static func sendBlocking(_ plan: ReplayPlan, timeout: Double) throws -> ReplayAnswer {
        let answer = Locked<Result<ReplayAnswer, any Error>?>(nil)
        // A semaphore, not the lock: the thread waits for one signal, which a Mutex cannot express.
        let done = DispatchSemaphore(value: 0)
        start(plan, timeout: timeout) { result in
            answer.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        guard let result = answer.value else { throw CancellationError() }
        return try result.get()
    }

    /// One session for each whole-second limit, kept for the process. A session a request, invalidated after its
    /// answer, kept its socket pair and its connection open until Foundation let the session go: four clients
    /// replaying in a loop (`PurgeRaceTests`) held 2,800 descriptors, past the 32 KiB of directory entries
    /// Foundation's `Process.run` reads from /proc/self/fd with an over-read that crashes at the end of that buffer
    /// (swift-corelibs-foundation#5472, in Swift 6.3.1). Shared, a session reuses its connections.
    private static let sessions = Locked<[Double: URLSession]>([:])

    private static func session(timeout: Double) -> URLSession {
        // Foundation on Linux hands libcurl whole seconds (0.5 s would time out at once): the session gets a
        // rounded-up limit, and a timer of our own cancels the task at the exact one.
        let limit = timeout.rounded(.up) + 1
        return sessions.withLock { sessions in
            if let s = sessions[limit] { return s }
            let config = URLSessionConfiguration.ephemeral
            config.timeoutIntervalForRequest = limit
            config.timeoutIntervalForResource = limit
            config.httpShouldSetCookies = false
            let s = URLSession(configuration: config)
            sessions[limit] = s
            return s
        }
    }

    /// Starts the request on URLSession's own queue; `completion` runs once, there.
    static func start(_ plan: ReplayPlan, timeout: Double,
                      completion: @escaping @Sendable (Result<ReplayAnswer, any Error>) -> Void) {
        var request = URLRequest(url: plan.url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        request.httpMethod = plan.method
        for h in plan.headers { request.setValue(h.value, forHTTPHeaderField: h.name) }
        if let body = plan.body { request.httpBody = Data(body.utf8) }
        let session = session(timeout: timeout)
        let started = Date()
        let url = plan.url
        // Set when our own timer cancels the request, so the cancellation reads as a timeout.
        let timedOut = Locked(false)
        let task = session.dataTask(with: request) { data, response, error in
            if let error {
                completion(.failure(timedOut.value ? ActionError.timedOut(url.absoluteString, seconds: timeout)
                                                : map(error, url: url, timeout: timeout)))
                return
            }
            guard let http = response as? HTTPURLResponse else {
                completion(.failure(ActionError.transport(url.absoluteString, why: "the answer is not HTTP")))
                return
            }
            var headers: [String: String] = [:]
            for (k, v) in http.allHeaderFields {
                if let k = k as? String { headers[k] = v as? String ?? "\(v)" }
            }
            let body = data.flatMap { $0.isEmpty ? nil : String(decoding: $0, as: UTF8.self) }
            completion(.success(ReplayAnswer(status: http.statusCode, headers: headers, body: body,
                                             elapsedMs: Int(Date().timeIntervalSince(started) * 1000))))
        }
        task.resume()
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
            timedOut.withLock { $0 = true }
            task.cancel()
        }
    }

    /// One line per kind of failure an operator can act on.
    static func map(_ error: any Error, url: URL, timeout: Double) -> ActionError {
        let where_ = url.host.map { h in url.port.map { "\(h):\($0)" } ?? h } ?? url.absoluteString
        guard let e = error as? URLError else {
            return .transport(url.absoluteString, why: error.localizedDescription)
        }
        switch e.code {
        case .cannotConnectToHost: return .connectionRefused(where_)
        case .timedOut: return .timedOut(url.absoluteString, seconds: timeout)
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
             .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .clientCertificateRejected,
             .clientCertificateRequired:
            return .tls(url.absoluteString, why: e.localizedDescription)
        case .cannotFindHost, .dnsLookupFailed: return .cannotResolve(url.absoluteString)
        case .badURL, .unsupportedURL: return .badTarget(url.absoluteString)
        default:
            // libcurl's TLS failures come back under several codes; their text names the library.
            let text = e.localizedDescription
            if ["SSL", "TLS", "certificate"].contains(where: text.contains) {
                return .tls(url.absoluteString, why: text.trimmingCharacters(in: .whitespaces))
            }
            return .transport(url.absoluteString, why: text)
        }
    }
}
