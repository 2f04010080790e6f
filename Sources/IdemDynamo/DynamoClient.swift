import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import IdemCore

/// A small, synchronous client of the DynamoDB JSON API: each call is one SigV4-signed `POST /` with
/// `X-Amz-Target: DynamoDB_20120810.<Action>`, retried with exponential backoff and full jitter while DynamoDB
/// throttles.
///
/// Thread-safe: the parallel scan calls it from several threads at once.
public final class DynamoClient: Sendable {
    public let endpoint: URL
    /// The region and service to sign for; its credentials are replaced by `credentials`' current ones per call.
    public let signer: SigV4
    /// Where the signing credentials come from (renewed before they expire).
    public let credentials: CredentialsProvider
    /// Used in error messages.
    public let table: String
    /// The API version prefix of `X-Amz-Target`: `DynamoDB_20120810`, or `DynamoDBStreams_20120810` for Streams.
    public let targetPrefix: String
    let session: URLSession
    let clock: any Clock
    /// Retries after a throttled call before giving up.
    public let maxRetries: Int
    /// The first backoff ceiling; it doubles per retry up to `maxBackoff`.
    public let baseBackoff: TimeSpan
    public let maxBackoff: TimeSpan
    /// `https` endpoints go through URLSession; `http` ones (moto, DynamoDB Local) through `PlainHTTP`.
    let useURLSession: Bool
    let timeout: TimeInterval
    private let throttledCount = Locked(0)

    /// - Parameter credentials: where to get the credentials per call; nil: always `signer`'s.
    public init(endpoint: URL, signer: SigV4, credentials: CredentialsProvider? = nil, table: String,
                clock: any Clock = SystemClock(), timeout: TimeInterval = 15,
                maxRetries: Int = 8, baseBackoff: TimeSpan = TimeSpan(ms: 50), maxBackoff: TimeSpan = .seconds(5),
                targetPrefix: String = "DynamoDB_20120810", useURLSession: Bool = false) {
        self.credentials = credentials ?? CredentialsProvider(signer.credentials)
        self.useURLSession = useURLSession || endpoint.scheme != "http"
        self.timeout = timeout
        self.endpoint = endpoint
        self.targetPrefix = targetPrefix
        self.signer = signer
        self.table = table
        self.clock = clock
        self.maxRetries = maxRetries
        self.baseBackoff = baseBackoff
        self.maxBackoff = maxBackoff
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = timeout
        config.httpMaximumConnectionsPerHost = 16
        config.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: config)
    }

    /// How many calls DynamoDB throttled so far (each retried or given up).
    public var throttled: Int { throttledCount.value }

    /// Calls `action` with `body`, retrying while throttled; returns the response object.
    public func call(_ action: String, _ body: [String: Any]) throws -> [String: Any] {
        var attempt = 0
        while true {
            do {
                return try callOnce(action, body)
            } catch let e as DynamoError where e.isRetryable && attempt < maxRetries {
                throttledCount.withLock { $0 += 1 }
                Thread.sleep(forTimeInterval: Double(DynamoClient.backoff(attempt: attempt, base: baseBackoff,
                                                                         cap: maxBackoff).ms) / 1000)
                attempt += 1
            }
        }
    }

    /// Full jitter: a random wait between 0 and `min(cap, base * 2^attempt)`.
    public static func backoff(attempt: Int, base: TimeSpan, cap: TimeSpan,
                               random: (ClosedRange<Int64>) -> Int64 = { Int64.random(in: $0) }) -> TimeSpan {
        let ceiling = min(cap.ms, base.ms << Int64(min(attempt, 30)))
        return TimeSpan(ms: random(0...max(0, ceiling)))
    }

    /// One signed POST without retries.
    func callOnce(_ action: String, _ body: [String: Any]) throws -> [String: Any] {
        let payload: Data
        do { payload = try JSONSerialization.data(withJSONObject: body) } catch {
            throw DynamoError.usage("cannot encode the \(action) request: \(error)")
        }
        let headers = [("Content-Type", "application/x-amz-json-1.0"), ("X-Amz-Target", "\(targetPrefix).\(action)")]
        let now = clock.now()
        var signer = self.signer
        signer.credentials = try credentials.credentials(at: now)
        let signed = signer.sign(method: "POST", url: endpoint, headers: headers, body: Array(payload), at: now)
        let data: Data, status: Int
        if useURLSession {
            var request = URLRequest(url: endpoint)
            request.httpMethod = "POST"
            request.httpBody = payload
            for (name, value) in signed.headers where name.lowercased() != "host" {
                request.setValue(value, forHTTPHeaderField: name)
            }
            (data, status) = try send(request)
        } else {
            (data, status) = try PlainHTTP.post(endpoint, headers: signed.headers, body: payload, timeout: timeout)
        }
        let object = data.isEmpty ? [:] : (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        guard (200..<300).contains(status) else {
            throw DynamoError.from(status: status, body: object, table: table)
        }
        guard let object else {
            throw DynamoError.malformed("\(action) answered HTTP \(status) with a body that is not a JSON object")
        }
        return object
    }

    /// Sends and waits: URLSession's completion handler, bridged to a synchronous call.
    private func send(_ request: URLRequest) throws -> (Data, Int) {
        let answer = Locked<(data: Data?, status: Int?, error: (any Error)?)>((nil, nil, nil))
        // A semaphore, not the lock: the thread waits for one signal, which a Mutex cannot express.
        let done = DispatchSemaphore(value: 0)
        let task = session.dataTask(with: request) { data, response, error in
            answer.withLock { $0 = (data, (response as? HTTPURLResponse)?.statusCode, error) }
            done.signal()
        }
        task.resume()
        done.wait()
        let (data, status, error) = answer.withLock { ($0.data, $0.status, $0.error) }
        if let error {
            let ns = error as NSError
            let what: String
            switch (error as? URLError)?.code {
            case .cannotConnectToHost?: what = "connection refused at \(endpoint.absoluteString)"
            case .timedOut?: what = "timed out talking to \(endpoint.absoluteString)"
            case .cannotFindHost?, .dnsLookupFailed?: what = "unknown host in \(endpoint.absoluteString)"
            default: what = "\(endpoint.absoluteString): \(ns.localizedDescription)"
            }
            throw DynamoError.connection(what)
        }
        guard let status else {
            throw DynamoError.malformed("no HTTP response from \(endpoint.absoluteString)")
        }
        return (data ?? Data(), status)
    }
}
