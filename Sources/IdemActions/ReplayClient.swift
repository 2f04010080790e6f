import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The answer to a replayed request.
public struct ReplayAnswer: Sendable, Hashable {
    public var status: Int
    public var headers: [String: String]
    public var body: String?
    public var elapsedMs: Int

    public init(status: Int, headers: [String: String], body: String?, elapsedMs: Int) {
        self.status = status
        self.headers = headers
        self.body = body
        self.elapsedMs = elapsedMs
    }

    /// A header's value, whatever the case of its name.
    public func header(_ name: String) -> String? {
        headers.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// Sends a `ReplayPlan` with Foundation's URLSession (the system libcurl on Linux); failures become `ActionError`s.
public enum ReplayClient {
    /// Sends `plan` and waits up to `timeout` seconds for the whole answer.
    public static func send(_ plan: ReplayPlan, timeout: Double) async throws -> ReplayAnswer {
        var request = URLRequest(url: plan.url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        request.httpMethod = plan.method
        for h in plan.headers { request.setValue(h.value, forHTTPHeaderField: h.name) }
        if let body = plan.body { request.httpBody = Data(body.utf8) }
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = timeout
        config.timeoutIntervalForResource = timeout
        config.httpShouldSetCookies = false
        let session = URLSession(configuration: config)
        defer { session.finishTasksAndInvalidate() }
        let started = Date()
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: request)
        } catch {
            throw map(error, url: plan.url, timeout: timeout)
        }
        guard let http = response as? HTTPURLResponse else {
            throw ActionError.transport(plan.url.absoluteString, why: "the answer is not HTTP")
        }
        var headers: [String: String] = [:]
        for (k, v) in http.allHeaderFields {
            if let k = k as? String { headers[k] = v as? String ?? "\(v)" }
        }
        return ReplayAnswer(status: http.statusCode, headers: headers,
                            body: data.isEmpty ? nil : String(decoding: data, as: UTF8.self),
                            elapsedMs: Int(Date().timeIntervalSince(started) * 1000))
    }

    /// Sends from synchronous code (the CLI), blocking the calling thread until the answer or the failure.
    public static func sendBlocking(_ plan: ReplayPlan, timeout: Double) throws -> ReplayAnswer {
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        Task {
            do { box.set(.success(try await send(plan, timeout: timeout))) } catch { box.set(.failure(error)) }
            done.signal()
        }
        done.wait()
        return try box.get()
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
        default: return .transport(url.absoluteString, why: e.localizedDescription)
        }
    }

    /// The answer handed from the sending task to the blocked thread.
    private final class Box: @unchecked Sendable {
        private let lock = NSLock()
        private var result: Result<ReplayAnswer, any Error>?
        func set(_ r: Result<ReplayAnswer, any Error>) { lock.withLock { result = r } }
        func get() throws -> ReplayAnswer {
            guard let r = lock.withLock({ result }) else { throw CancellationError() }
            return try r.get()
        }
    }
}
