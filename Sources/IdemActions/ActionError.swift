import IdemCore

/// Why an action could not be taken: each prints as one clear line.
public enum ActionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The store holds no request for this token: there is nothing to replay.
    case noRequest(TokenKey)
    /// `--target` is not an http(s) URL with a host.
    case badTarget(String)
    case connectionRefused(String)
    case timedOut(String, seconds: Double)
    case tls(String, why: String)
    case cannotResolve(String)
    /// Any other transport failure.
    case transport(String, why: String)

    public var description: String {
        switch self {
        case .noRequest(let k):
            return "\(Sanitizer.visible(k.description)): the store holds no request for this token; nothing to replay"
        case .badTarget(let t):
            return "bad target URL '\(Sanitizer.visible(t))': give an http:// or https:// base URL with a host"
        case .connectionRefused(let u): return "connection refused: nothing is listening at \(u)"
        case .timedOut(let u, let s): return "timed out after \(s) s waiting for \(u)"
        case .tls(let u, let why): return "TLS error talking to \(u): \(why)"
        case .cannotResolve(let u): return "cannot resolve the host of \(u)"
        case .transport(let u, let why): return "request to \(u) failed: \(why)"
        }
    }
}
