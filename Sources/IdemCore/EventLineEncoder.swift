/// Turns a `StoreEvent` into one journal line: a JSON object followed by `\n`.
///
/// Hand-written rather than `JSONEncoder`: the writer appends one line per request, and the benchmark generates
/// millions. Keys are written in a fixed order (`v`, `kind`, `at`, `tenant`, `token`, then the kind's own fields);
/// readers accept any order. Strings are escaped as JSON requires: `"` and `\`, and every control character
/// (U+0000 to U+001F) as `\n`, `\r`, `\t`, `\b`, `\f` or `\u00XX`; so are DEL, C1 controls, bidi overrides and the
/// other invisible characters `Sanitizer` makes visible (`\u009b`, `\u202e`, U+2028), so a line printed to a terminal
/// (`tail --format jsonl`) cannot drive it. Other non-ASCII text is written as UTF-8 as it is.
/// See README.md ("The journal format") for the format.
public enum EventLineEncoder {
    /// The format version written in every line's `"v"`.
    public static let version = 1

    /// The line for `event`, `\n` included.
    public static func encode(_ event: StoreEvent) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(256)
        append(event, to: &out)
        return out
    }

    /// The line for `event` as text, `\n` included (for `tail --format jsonl`).
    public static func line(_ event: StoreEvent) -> String {
        String(decoding: encode(event), as: UTF8.self)
    }

    /// Appends the line for `event`, `\n` included, to `out`.
    public static func append(_ e: StoreEvent, to out: inout [UInt8]) {
        out.append(contentsOf: #"{"v":1,"kind":""#.utf8)
        out.append(contentsOf: e.kind.rawValue.utf8)
        out.append(contentsOf: #"","at":""#.utf8)
        e.at.appendRFC3339(to: &out)
        out.append(34)
        field("tenant", e.tenant, &out)
        field("token", e.token, &out)
        switch e.kind {
        case .request:
            if let op = e.operation { field("operation", op, &out) }
            if let fp = e.fingerprint { fingerprint("fingerprint", fp, &out) }
            if let o = e.outcome { field("outcome", o.rawValue, &out) }
            if let sfp = e.storedFingerprint { fingerprint("stored_fingerprint", sfp, &out) }
            if let x = e.expiresAt { instant("expires_at", x, &out) }
            if let x = e.lockedUntil { instant("locked_until", x, &out) }
            if let r = e.request {
                key("request", &out)
                out.append(contentsOf: #"{"method":"#.utf8)
                string(r.method, &out)
                out.append(contentsOf: #","path":"#.utf8)
                string(r.path, &out)
                out.append(contentsOf: #","headers":"#.utf8)
                headers(r.headers, &out)
                out.append(contentsOf: #","body":"#.utf8)
                optionalString(r.body, &out)
                out.append(125)
            }
        case .completed:
            if let x = e.expiresAt { instant("expires_at", x, &out) }
            if let r = e.response {
                key("response", &out)
                out.append(contentsOf: #"{"status":"#.utf8)
                integer(r.status, &out)
                out.append(contentsOf: #","headers":"#.utf8)
                headers(r.headers, &out)
                out.append(contentsOf: #","body":"#.utf8)
                optionalString(r.body, &out)
                out.append(125)
            } else if let status = e.responseStatus {
                key("response", &out)
                out.append(contentsOf: #"{"status":"#.utf8)
                integer(status, &out)
                out.append(125)
            }
        case .failed:
            if let err = e.error { field("error", err, &out) }
        case .purge:
            if let a = e.actor { field("actor", a, &out) }
            if let r = e.reason { field("reason", r, &out) }
            if let s = e.sawStatus { field("saw_status", s.rawValue, &out) }
            if let v = e.sawVersion { key("saw_version", &out); integer(v, &out) }
        case .replay:
            if let a = e.actor { field("actor", a, &out) }
            if let r = e.reason { field("reason", r, &out) }
            if let t = e.target { field("target", t, &out) }
            if let s = e.resultStatus { key("result_status", &out); integer(s, &out) }
        }
        out.append(125)
        out.append(10)
    }

    /// Appends `s` as a JSON string literal, quotes included.
    public static func string(_ s: String, _ out: inout [UInt8]) {
        out.append(34)
        var needsEscape = false
        for c in s.utf8 where c < 0x20 || c == 34 || c == 92 || c >= 0x7f {
            needsEscape = true
            break
        }
        if !needsEscape {
            out.append(contentsOf: s.utf8)
            out.append(34)
            return
        }
        // Scalar by scalar: `"`, `\`, C0 and DEL escaped, and so are C1, bidi overrides and U+2028; other text kept.
        Sanitizer.appendJSONString(s, to: &out)
        out.append(34)
    }

    @inline(__always) static func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? 48 + v : 87 + v }

    static func key(_ name: StaticString, _ out: inout [UInt8]) {
        out.append(44)
        out.append(34)
        name.withUTF8Buffer { out.append(contentsOf: $0) }
        out.append(34)
        out.append(58)
    }

    static func field(_ name: StaticString, _ value: String, _ out: inout [UInt8]) {
        key(name, &out)
        string(value, &out)
    }

    static func instant(_ name: StaticString, _ value: Instant, _ out: inout [UInt8]) {
        key(name, &out)
        out.append(34)
        value.appendRFC3339(to: &out)
        out.append(34)
    }

    static func fingerprint(_ name: StaticString, _ fp: Fingerprint, _ out: inout [UInt8]) {
        key(name, &out)
        switch fp.storage {
        case .text(let t):
            string(t, &out)
        case .sha256(let a, let b, let c, let d):
            out.append(34)
            for word in [a, b, c, d] {
                var shift: UInt64 = 60
                for _ in 0..<16 {
                    out.append(hexDigit(UInt8((word >> shift) & 15)))
                    shift &-= 4
                }
            }
            out.append(34)
        }
    }

    static func optionalString(_ s: String?, _ out: inout [UInt8]) {
        if let s { string(s, &out) } else { out.append(contentsOf: "null".utf8) }
    }

    static func integer(_ v: Int, _ out: inout [UInt8]) {
        out.append(contentsOf: String(v).utf8)
    }

    /// Headers as an object with keys sorted, so a line is the same bytes every time.
    static func headers(_ h: [String: String], _ out: inout [UInt8]) {
        out.append(123)
        var first = true
        for k in h.keys.sorted() {
            if !first { out.append(44) }
            first = false
            string(k, &out)
            out.append(58)
            string(h[k] ?? "", &out)
        }
        out.append(125)
    }
}
