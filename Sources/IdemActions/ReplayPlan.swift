import Foundation
import IdemCore

/// The exact request a replay sends: built from the stored request, without its secret headers unless the operator
/// re-supplied them, with the original token in the idempotency header.
public struct ReplayPlan: Sendable, Hashable {
    public var key: TokenKey
    public var method: String
    public var url: URL
    public var headers: [HeaderField]
    public var body: String?
    /// Secret headers of the stored request (masked there) that the operator did not re-supply: not sent.
    public var missingSecrets: [String]

    /// Headers that belong to one connection: never replayed, the client sets its own.
    static let hopByHop: Set<String> = ["host", "content-length", "connection", "transfer-encoding", "keep-alive",
                                        "accept-encoding", "expect", "upgrade", "te"]

    /// The plan for `request` of `key`; throws `ActionError.badTarget` for a target that is not an http(s) URL.
    public init(key: TokenKey, request: StoredRequest, options: ReplayOptions) throws {
        self.key = key
        method = request.method.uppercased()
        url = try ReplayPlan.url(target: options.target, path: request.path)
        body = request.body
        let supplied = Set(options.headers.map { $0.name.lowercased() })
        let idem = options.idempotencyHeader.lowercased()
        var out: [HeaderField] = []
        var missing: [String] = []
        for (name, value) in request.headers.sorted(by: { $0.key.lowercased() < $1.key.lowercased() }) {
            let lower = name.lowercased()
            if ReplayPlan.hopByHop.contains(lower) || supplied.contains(lower) || lower == idem { continue }
            if options.mask.isSecret(name) {
                missing.append(name)
                continue
            }
            out.append(HeaderField(name: name, value: value))
        }
        out.append(contentsOf: options.headers.filter { $0.name.lowercased() != idem })
        // The stored client's User-Agent when there is one; else say who sends it, in the plan so that the dry
        // run's curl line is the exact request (Foundation would send "<program> (unknown version) curl/…").
        if !out.contains(where: { $0.name.lowercased() == "user-agent" }) {
            out.append(HeaderField(name: "User-Agent", value: "idemtop-replay"))
        }
        out.append(HeaderField(name: options.idempotencyHeader, value: key.token))
        headers = out
        missingSecrets = missing
    }

    /// `target` + `path`, checked: http or https, a host, no query or fragment on the target.
    static func url(target: String, path: String) throws -> URL {
        guard let base = URLComponents(string: target), let scheme = base.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = base.host, !host.isEmpty
        else { throw ActionError.badTarget(target) }
        var trimmed = target
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        let joined = trimmed + (path.hasPrefix("/") ? path : "/" + path)
        guard let url = URL(string: joined) else { throw ActionError.badTarget(joined) }
        return url
    }

    /// The request as a curl command line, quoted for a POSIX shell.
    ///
    /// Secret values never reach the screen: a secret header's value, and a JSON body's secret fields, print as
    /// `****` (the body then in compact sorted form). Everything else is exactly what is sent.
    public func curl(mask: SecretMask = SecretMask()) -> String {
        var parts = ["curl", "-sS", "-i", "-X", ReplayPlan.quote(method)]
        for h in headers {
            let value = mask.isSecret(h.name) ? mask.mask(h.value) : h.value
            parts += ["-H", ReplayPlan.quote("\(h.name): \(value)")]
        }
        if let body { parts += ["--data-binary", ReplayPlan.quote(ReplayPlan.shown(body, mask: mask))] }
        parts.append(ReplayPlan.quote(url.absoluteString))
        return parts.joined(separator: " ")
    }

    /// Whether the curl line hides anything (a secret header value or a secret body field).
    public func curlMasksSecrets(mask: SecretMask = SecretMask()) -> Bool {
        headers.contains { mask.isSecret($0.name) } || body.map { ReplayPlan.shown($0, mask: mask) != $0 } ?? false
    }

    /// The body as shown: unchanged unless masking hides a secret field in it.
    static func shown(_ body: String, mask: SecretMask) -> String {
        guard let plain = Fingerprint.canonicalJSON(body),
              let masked = Fingerprint.canonicalJSON(mask.body(body)), masked != plain
        else { return body }
        return String(decoding: masked, as: UTF8.self)
    }

    /// Single-quotes `text` for a shell unless it is plainly safe; control characters become visible.
    static func quote(_ text: String) -> String {
        let visible = Sanitizer.visible(text)
        let safe = visible.unicodeScalars.allSatisfy {
            CharacterSet.alphanumerics.contains($0) || "-_./:=@,+%".unicodeScalars.contains($0)
        }
        if safe, !visible.isEmpty { return visible }
        return "'" + visible.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}
