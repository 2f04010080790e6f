import CByteScan
import Foundation

/// What one journal line decodes to: an event, or the one-line reason it is not one.
public enum DecodedLine: Sendable, Hashable {
    case event(StoreEvent)
    case malformed(String)

    /// The event, when the line was one.
    public var event: StoreEvent? { if case .event(let e) = self { return e } else { return nil } }
    /// The reason, when the line was malformed.
    public var reason: String? { if case .malformed(let r) = self { return r } else { return nil } }
}

/// Turns one journal line's bytes into a `StoreEvent`: a single pass over the bytes, no JSON tree, few allocations.
///
/// Full JSON syntax is accepted (any white space, any key order, every escape, nested values); keys it does not know
/// are skipped. With `decodeBodies` false (the bulk load) the `request` object is skipped and of `response` only
/// `status` is read; with it true (opening a token) both are decoded. Tenant, operation and actor strings repeat
/// from line to line and come from a small cache. Keep one decoder per reading loop: it is a value with a cache, not
/// shared state. See README.md ("The journal format").
public struct EventLineDecoder {
    /// Whether `request` and `response` are decoded whole (opening a token) or skipped but for the status (bulk load).
    public var decodeBodies: Bool
    private var cache = ByteStringCache()
    /// Tokens repeat on the few lines of a token's retries and completion, which lie close together.
    private var tokens = ByteStringCache(slots: 4096, longest: 128)
    /// The date of the last time read: most lines share it.
    private var dates = DateMemo()
    /// The date of the last `expires_at` read, a day or more after the `at`s around it: with one memo for both, the
    /// two dates took turns and missed on every request line.
    private var expiryDates = DateMemo()
    /// What `idem_line_fields_scan` found on the last line, kept here: a local `idem_line_fields()` zeroed its
    /// 376 bytes with a call to memset on every line (6% of a cold load's CPU), and one through
    /// `withUnsafeTemporaryAllocation` copied the fields out of its closure. The scan sets every tag before use.
    private var scan = idem_line_fields()

    /// Whether lines go first through the C scan (`idem_line_fields_scan`); false only in the tests that hold it
    /// against the Swift parse.
    var scansInC = true

    public init(decodeBodies: Bool = false) {
        self.decodeBodies = decodeBodies
    }

    /// Decodes one line (without its `\n`). `seq` and `ref` are copied into the event.
    public mutating func decode(_ line: UnsafeBufferPointer<UInt8>, seq: Int64 = 0, ref: Int64 = -1) -> DecodedLine {
        guard let base = line.baseAddress, line.count > 0 else { return .malformed("empty line") }
        do {
            return .event(try parse(JSONByteScanner(base, count: line.count), seq: seq, ref: ref))
        } catch {
            return .malformed(error.reason)
        }
    }

    /// Decodes one line (without its `\n`), throwing the reason when it is malformed: the readers' hot path.
    public mutating func decodeEvent(_ line: UnsafeBufferPointer<UInt8>, seq: Int64, ref: Int64) throws(LineError) -> StoreEvent {
        guard let base = line.baseAddress, line.count > 0 else { throw LineError("empty line") }
        return try parse(JSONByteScanner(base, count: line.count), seq: seq, ref: ref)
    }

    /// Decodes one line given as bytes (a trailing `\n` is allowed).
    public mutating func decode(_ bytes: [UInt8], seq: Int64 = 0, ref: Int64 = -1) -> DecodedLine {
        bytes.withUnsafeBufferPointer { decode($0, seq: seq, ref: ref) }
    }

    /// Decodes one line given as text (a trailing `\n` is allowed).
    public mutating func decode(_ text: String, seq: Int64 = 0, ref: Int64 = -1) -> DecodedLine {
        decode(Array(text.utf8), seq: seq, ref: ref)
    }

    /// Decodes one line (without its `\n`) into `part` as a `FoldEvent`, its strings copied into the part's bytes,
    /// throwing the reason when it is malformed: the same parse and checks as `decodeEvent`, for a read that only
    /// folds (`BlockDecoder`'s fold parts).
    public mutating func decodeFold(_ line: UnsafeBufferPointer<UInt8>, ref: Int64,
                                    into part: inout FoldPart) throws(LineError) {
        guard let base = line.baseAddress, line.count > 0 else { throw LineError("empty line") }
        var s = JSONByteScanner(base, count: line.count)
        let f = try fields(&s)
        let fingerprint: FoldFingerprint
        if let v = f.fingerprint {
            fingerprint = s.withBytes(v) { b in
                if case .sha256(let w0, let w1, let w2, let w3)? = Fingerprint.pack(b) { return .sha256(w0, w1, w2, w3) }
                return .text(part.span(b))
            }
        } else {
            fingerprint = .none
        }
        let tenant: ByteSpan, token: ByteSpan, operation: ByteSpan?
        if let (t, k, o) = Self.oneCopy(f, s, &part) {
            (tenant, token, operation) = (t, k, o)
        } else {
            tenant = s.withBytes(f.tenant) { part.span($0) }
            token = s.withBytes(f.token) { part.span($0) }
            operation = f.operation.map { v in s.withBytes(v) { part.span($0) } }
        }
        part.events.append(FoldEvent(
            ref: ref, at: f.at, expiresAt: f.expiresAt, lockedUntil: f.lockedUntil, fingerprint: fingerprint,
            tenant: tenant, tenantSlot: part.tenantSlot(tenant), operationSlot: part.operationSlot(operation),
            token: token, operation: operation,
            responseStatus: f.responseStatus, kind: f.kind, outcome: f.outcome))
    }

    /// The tenant, token and operation as spans of one copy of the bytes from the tenant's start to the last one's
    /// end, when they lie in that order without escapes and close together, as the writer puts them
    /// (`"tenant":"…","token":"…","operation":"…"`): one append to the part's bytes instead of three (each a
    /// uniqueness check and a generic copy, 4% of a cold load's instructions); the keys between them are copied too,
    /// unused. Nil otherwise.
    @inline(__always)
    private static func oneCopy(_ f: Fields, _ s: JSONByteScanner,
                                _ part: inout FoldPart) -> (ByteSpan, ByteSpan, ByteSpan?)? {
        guard !f.tenant.escaped, !f.token.escaped, f.tenant.end <= f.token.start else { return nil }
        var last = f.token.end
        if let o = f.operation {
            guard !o.escaped, f.token.end <= o.start else { return nil }
            last = o.end
        }
        guard last - f.tenant.start <= 512 else { return nil }
        let whole = part.span(UnsafeBufferPointer(start: s.p + f.tenant.start, count: last - f.tenant.start))
        func inside(_ r: RawString) -> ByteSpan {
            ByteSpan(start: whole.start + UInt32(truncatingIfNeeded: r.start - f.tenant.start),
                     count: UInt32(truncatingIfNeeded: r.count))
        }
        return (inside(f.tenant), inside(f.token), f.operation.map(inside))
    }

    private mutating func parse(_ scanner: JSONByteScanner, seq: Int64, ref: Int64) throws(LineError) -> StoreEvent {
        var s = scanner
        let f = try fields(&s)
        return StoreEvent(
            seq: seq, kind: f.kind, at: f.at, tenant: s.withBytes(f.tenant) { cache.string($0) },
            token: s.withBytes(f.token) { tokens.string($0) },
            operation: f.operation.map { v in s.withBytes(v) { cache.string($0) } },
            fingerprint: f.fingerprint.map { s.withBytes($0, Fingerprint.init(bytes:)) },
            storedFingerprint: f.storedFingerprint.map { s.withBytes($0, Fingerprint.init(bytes:)) },
            outcome: f.outcome, expiresAt: f.expiresAt, lockedUntil: f.lockedUntil, responseStatus: f.responseStatus,
            error: f.error.map { s.text($0) }, actor: f.actor.map { v in s.withBytes(v) { cache.string($0) } },
            reason: f.reason.map { s.text($0) }, sawStatus: f.sawStatus, sawVersion: f.sawVersion,
            target: f.target.map { s.text($0) }, resultStatus: f.resultStatus, request: f.request,
            response: f.response, ref: ref)
    }

    /// A line's fields as found: its strings still where they lie in the line (`RawString`), so the one parse
    /// serves both `StoreEvent`s and `FoldEvent`s, each making only the strings it keeps.
    private struct Fields {
        var kind: EventKind
        var at: Instant
        var tenant: RawString
        var token: RawString
        var operation: RawString?, fingerprint: RawString?, storedFingerprint: RawString?, outcome: Outcome?
        var expiresAt: Instant?, lockedUntil: Instant?, responseStatus: Int?, error: RawString?
        var actor: RawString?, reason: RawString?, sawStatus: TokenStatus?, sawVersion: Int?, target: RawString?
        var resultStatus: Int?, request: StoredRequest?, response: StoredResponse?
    }

    /// Parses the object of one line, checking its syntax and the fields' values.
    ///
    /// Without bodies to decode, the line goes first through `idem_line_fields_scan` (C, `Sources/CByteScan/line.h`):
    /// one pass that checks the grammar and locates the top-level values of a line of the common shape. What it or
    /// the checks of the values here do not take is parsed again below, which gives every error its reason.
    @inline(__always)
    private mutating func fields(_ s: inout JSONByteScanner) throws(LineError) -> Fields {
        if !decodeBodies, scansInC, let f = scannedFields(s) { return f }
        return try parsedFields(&s)
    }

    /// The fields of a line `idem_line_fields_scan` takes and whose values pass the same checks as in
    /// `parsedFields`; nil for that parse to read the line again.
    @inline(__always)
    private mutating func scannedFields(_ s: JSONByteScanner) -> Fields? {
        guard idem_line_fields_scan(s.p, s.n, &scan) != 0 else { return nil }
        // Static functions of `&scan`, not closures over it: a captured variable's every access is checked at run time.
        guard let kindValue = Self.raw(&scan, IDEM_F_KIND), let kind = s.withBytes(kindValue, JournalField.kind),
              let atValue = Self.raw(&scan, IDEM_F_AT), let at = s.withBytes(atValue, { Instant.parseRFC3339($0, memo: &dates) }),
              let tenant = Self.raw(&scan, IDEM_F_TENANT), let token = Self.raw(&scan, IDEM_F_TOKEN) else { return nil }
        var outcome: Outcome?
        if let v = Self.raw(&scan, IDEM_F_OUTCOME) {
            guard let o = s.withBytes(v, JournalField.outcome) else { return nil }
            outcome = o
        }
        if kind == .request && outcome == nil { return nil }
        var expiresAt: Instant?, lockedUntil: Instant?
        if let v = Self.raw(&scan, IDEM_F_EXPIRES_AT) {
            guard let t = s.withBytes(v, { Instant.parseRFC3339($0, memo: &expiryDates) }) else { return nil }
            expiresAt = t
        }
        if let v = Self.raw(&scan, IDEM_F_LOCKED_UNTIL) {
            guard let t = s.withBytes(v, { Instant.parseRFC3339($0, memo: &dates) }) else { return nil }
            lockedUntil = t
        }
        var sawStatus: TokenStatus?
        if let v = Self.raw(&scan, IDEM_F_SAW_STATUS) {
            guard let st = TokenStatus(rawValue: s.text(v)) else { return nil }
            sawStatus = st
        }
        return Fields(
            kind: kind, at: at, tenant: tenant, token: token, operation: Self.raw(&scan, IDEM_F_OPERATION),
            fingerprint: Self.raw(&scan, IDEM_F_FINGERPRINT), storedFingerprint: Self.raw(&scan, IDEM_F_STORED_FINGERPRINT), outcome: outcome,
            expiresAt: expiresAt, lockedUntil: lockedUntil,
            responseStatus: idem_lf_status_tag(&scan) == IDEM_T_INTEGER ? Int(idem_lf_status(&scan)) : nil, error: Self.raw(&scan, IDEM_F_ERROR),
            actor: Self.raw(&scan, IDEM_F_ACTOR), reason: Self.raw(&scan, IDEM_F_REASON), sawStatus: sawStatus,
            sawVersion: Self.integer(&scan, IDEM_F_SAW_VERSION), target: Self.raw(&scan, IDEM_F_TARGET),
            resultStatus: Self.integer(&scan, IDEM_F_RESULT_STATUS), request: nil, response: nil)
    }

    /// The string `idem_line_fields_scan` found for key `k`; nil when it is absent or null.
    @inline(__always)
    private static func raw(_ c: UnsafePointer<idem_line_fields>, _ k: Int) -> RawString? {
        let tag = idem_lf_tag(c, Int32(k))
        guard tag == IDEM_T_STRING || tag == IDEM_T_ESCAPED else { return nil }
        return RawString(start: Int(idem_lf_start(c, Int32(k))), end: Int(idem_lf_end(c, Int32(k))),
                         escaped: tag == IDEM_T_ESCAPED)
    }

    /// The plain integer `idem_line_fields_scan` found for key `k`; nil when it is absent or null.
    @inline(__always)
    private static func integer(_ c: UnsafePointer<idem_line_fields>, _ k: Int) -> Int? {
        idem_lf_tag(c, Int32(k)) == IDEM_T_INTEGER ? Int(idem_lf_number(c, Int32(k))) : nil
    }

    /// The reference parse of a line's object, in Swift: every rule, and the reason a line breaks one.
    private mutating func parsedFields(_ s: inout JSONByteScanner) throws(LineError) -> Fields {
        s.skipWhitespace()
        guard s.peek() == 123 else { throw LineError("not JSON: the line is not an object") }
        s.i += 1
        var kind: EventKind?, at: Instant?, tenant: RawString?, token: RawString?
        var operation: RawString?, fingerprint: RawString?, storedFingerprint: RawString?, outcome: Outcome?
        var expiresAt: Instant?, lockedUntil: Instant?, responseStatus: Int?, error: RawString?
        var actor: RawString?, reason: RawString?, sawStatus: TokenStatus?, sawVersion: Int?, target: RawString?
        var resultStatus: Int?, request: StoredRequest?, response: StoredResponse?
        if s.peek() == 125 {
            s.i += 1
        } else {
            while true {
                s.skipWhitespace()
                let k = try s.string()
                try s.expect(58)
                s.skipWhitespace()
                switch s.withBytes(k, JournalField.match) {
                case .kind:
                    if let v = try stringValue(&s, "kind") {
                        kind = s.withBytes(v, JournalField.kind)
                        if kind == nil { throw LineError("unknown kind \(quoted(s, v))") }
                    }
                case .at:
                    if let v = try stringValue(&s, "at") {
                        at = s.withBytes(v) { Instant.parseRFC3339($0, memo: &dates) }
                        if at == nil { throw LineError("bad \"at\": \(quoted(s, v)) is not an RFC 3339 time") }
                    }
                case .tenant: tenant = try stringValue(&s, "tenant")
                case .token: token = try stringValue(&s, "token")
                case .operation: operation = try stringValue(&s, "operation")
                case .fingerprint: fingerprint = try stringValue(&s, "fingerprint")
                case .storedFingerprint: storedFingerprint = try stringValue(&s, "stored_fingerprint")
                case .outcome:
                    if let v = try stringValue(&s, "outcome") {
                        outcome = s.withBytes(v, JournalField.outcome)
                        if outcome == nil { throw LineError("unknown outcome \(quoted(s, v))") }
                    }
                case .expiresAt: expiresAt = try instantValue(&s, "expires_at")
                case .lockedUntil: lockedUntil = try instantValue(&s, "locked_until")
                case .error: error = try stringValue(&s, "error")
                case .actor: actor = try stringValue(&s, "actor")
                case .reason: reason = try stringValue(&s, "reason")
                case .target: target = try stringValue(&s, "target")
                case .sawStatus:
                    if let v = try stringValue(&s, "saw_status") {
                        sawStatus = TokenStatus(rawValue: s.text(v))
                        if sawStatus == nil { throw LineError("unknown saw_status \(quoted(s, v))") }
                    }
                case .sawVersion: sawVersion = try intValue(&s, "saw_version")
                case .resultStatus: resultStatus = try intValue(&s, "result_status")
                case .request:
                    if decodeBodies { request = try requestValue(&s) } else { try s.skipValue() }
                case .response:
                    if decodeBodies {
                        response = try responseValue(&s)
                        responseStatus = response?.status
                    } else {
                        responseStatus = try responseStatusOnly(&s)
                    }
                case .v, .unknown: try s.skipValue()
                }
                guard let next = s.peek() else { throw s.unexpected("expected ',' or '}'") }
                s.i += 1
                if next == 125 { break }
                guard next == 44 else { s.i -= 1; throw s.unexpected("expected ',' or '}'") }
            }
        }
        s.skipWhitespace()
        guard s.atEnd else { throw s.unexpected("text after the object") }
        guard let kind else { throw LineError("missing \"kind\"") }
        guard let at else { throw LineError("missing \"at\"") }
        guard let tenant else { throw LineError("missing \"tenant\"") }
        guard let token else { throw LineError("missing \"token\"") }
        if kind == .request && outcome == nil { throw LineError("missing \"outcome\"") }
        return Fields(
            kind: kind, at: at, tenant: tenant, token: token, operation: operation, fingerprint: fingerprint,
            storedFingerprint: storedFingerprint, outcome: outcome, expiresAt: expiresAt, lockedUntil: lockedUntil,
            responseStatus: responseStatus, error: error, actor: actor, reason: reason, sawStatus: sawStatus,
            sawVersion: sawVersion, target: target, resultStatus: resultStatus, request: request, response: response)
    }

    /// The string value of `name`; nil for `null`.
    private func stringValue(_ s: inout JSONByteScanner, _ name: StaticString) throws(LineError) -> RawString? {
        if s.null() { return nil }
        guard s.peek() == 34 else { throw LineError("\"\(name)\" is not a string") }
        return try s.string()
    }

    private mutating func instantValue(_ s: inout JSONByteScanner, _ name: StaticString) throws(LineError) -> Instant? {
        guard let v = try stringValue(&s, name) else { return nil }
        guard let t = s.withBytes(v, { Instant.parseRFC3339($0, memo: &dates) }) else {
            throw LineError("bad \"\(name)\": \(quoted(s, v)) is not an RFC 3339 time")
        }
        return t
    }

    private func intValue(_ s: inout JSONByteScanner, _ name: StaticString) throws(LineError) -> Int? {
        if s.null() { return nil }
        guard let c = s.peek(), c == 45 || (c >= 48 && c <= 57) else { throw LineError("\"\(name)\" is not a number") }
        guard let v = try s.number() else { throw LineError("\"\(name)\" is out of range") }
        return v
    }

    /// A value quoted for a reason, shortened: `"exectued"`.
    private func quoted(_ s: JSONByteScanner, _ v: RawString) -> String {
        let text = s.text(v)
        return "\"" + (text.count > 40 ? String(text.prefix(40)) + "…" : text) + "\""
    }

    /// Of a response object, only `status`: the bulk load's path.
    private func responseStatusOnly(_ s: inout JSONByteScanner) throws(LineError) -> Int? {
        if s.null() { return nil }
        guard s.peek() == 123 else { throw LineError("\"response\" is not an object") }
        s.i += 1
        var status: Int?
        try members(&s) { (s: inout JSONByteScanner, key: RawString) throws(LineError) in
            if s.withBytes(key, { b in b.count == 6 && b.baseAddress.map { memcmp($0, "status", 6) == 0 } == true }) {
                status = try intValue(&s, "status")
            } else {
                try s.skipValue()
            }
        }
        return status
    }

    private func requestValue(_ s: inout JSONByteScanner) throws(LineError) -> StoredRequest? {
        if s.null() { return nil }
        guard s.peek() == 123 else { throw LineError("\"request\" is not an object") }
        s.i += 1
        var r = StoredRequest(method: "", path: "")
        try members(&s) { (s: inout JSONByteScanner, key: RawString) throws(LineError) in
            switch s.text(key) {
            case "method": r.method = try stringValue(&s, "method").map { s.text($0) } ?? ""
            case "path": r.path = try stringValue(&s, "path").map { s.text($0) } ?? ""
            case "headers": r.headers = try headersValue(&s)
            case "body": r.body = try bodyValue(&s)
            default: try s.skipValue()
            }
        }
        return r
    }

    private func responseValue(_ s: inout JSONByteScanner) throws(LineError) -> StoredResponse? {
        if s.null() { return nil }
        guard s.peek() == 123 else { throw LineError("\"response\" is not an object") }
        s.i += 1
        var r = StoredResponse(status: 0)
        try members(&s) { (s: inout JSONByteScanner, key: RawString) throws(LineError) in
            switch s.text(key) {
            case "status": r.status = try intValue(&s, "status") ?? 0
            case "headers": r.headers = try headersValue(&s)
            case "body": r.body = try bodyValue(&s)
            default: try s.skipValue()
            }
        }
        return r
    }

    /// Headers: an object of strings (other values are skipped).
    private func headersValue(_ s: inout JSONByteScanner) throws(LineError) -> [String: String] {
        if s.null() { return [:] }
        guard s.peek() == 123 else { throw LineError("\"headers\" is not an object") }
        s.i += 1
        var h: [String: String] = [:]
        try members(&s) { (s: inout JSONByteScanner, key: RawString) throws(LineError) in
            if s.peek() == 34 {
                let v = try s.string()
                h[s.text(key)] = s.text(v)
            } else {
                try s.skipValue()
            }
        }
        return h
    }

    /// A body: a string, null, or any other JSON value kept as its raw text.
    private func bodyValue(_ s: inout JSONByteScanner) throws(LineError) -> String? {
        if s.null() { return nil }
        if s.peek() == 34 { return s.text(try s.string()) }
        let start = s.i
        try s.skipValue()
        return String(decoding: UnsafeBufferPointer(start: s.p + start, count: s.i - start), as: UTF8.self)
    }

    /// Walks an object's members after its `{`, through its `}`, calling `body` positioned at each value.
    private func members(
        _ s: inout JSONByteScanner, _ body: (inout JSONByteScanner, RawString) throws(LineError) -> Void
    ) throws(LineError) {
        if s.peek() == 125 { s.i += 1; return }
        while true {
            s.skipWhitespace()
            let key = try s.string()
            try s.expect(58)
            s.skipWhitespace()
            try body(&s, key)
            guard let next = s.peek() else { throw s.unexpected("expected ',' or '}'") }
            s.i += 1
            if next == 125 { return }
            guard next == 44 else { s.i -= 1; throw s.unexpected("expected ',' or '}'") }
        }
    }
}
