import IdemCore

/// Text from a hostile store, for the tests that every output keeps it from the terminal: every field of every
/// event kind holding screen clears, an OSC 52 clipboard write, alternate-screen and mouse-reporting switches, a C1
/// CSI, BEL, DEL and a bidi override; and the bytes that must never come out.
public enum HostileText {
    /// The sequences, each of which drives a terminal when written raw.
    public static let sequences = ["\u{1b}[2J", "\u{1b}]52;c;aGk=\u{07}", "\u{1b}[?1049l", "\u{1b}[?1000h", "\u{9b}31m",
                                   "\u{07}", "\u{7f}", "\u{202e}", "\u{2066}", "\u{2028}", "\r\n\t"]

    /// A hostile value labelled `label` (so a test can find where it was printed): `label` + every sequence.
    public static func value(_ label: String) -> String { label + sequences.joined() }

    /// `value` without the line break, for text that sits raw on one journal line.
    static func oneLine(_ label: String) -> String { label + sequences.dropLast().joined() }

    /// The tenant and token every event is about, hostile themselves.
    public static let tenant = value("T")
    public static let token = value("K")

    /// One event of every kind and outcome, every string field hostile, oldest first, from `start`.
    public static func events(start: Instant) -> [StoreEvent] {
        let request = StoredRequest(method: "POST", path: "/v1/charges" + value("P"),
                                    headers: [value("H"): value("V"), "Authorization": "Bearer " + value("S")],
                                    body: #"{"note":""# + value("B").replacingEscapes() + #""}"#)
        let response = StoredResponse(status: 201, headers: ["X-Note": value("R")], body: value("RB"))
        func req(_ token: String, _ outcome: Outcome, _ s: Int64) -> StoreEvent {
            StoreEvent(kind: .request, at: start + .seconds(s), tenant: tenant, token: token, operation: value("O"),
                       fingerprint: Fingerprint(value("F")), storedFingerprint: Fingerprint(value("G")),
                       outcome: outcome, expiresAt: start + .seconds(s + 30), lockedUntil: start + .seconds(s + 5),
                       request: request)
        }
        let other = value("K2")
        return [
            req(token, .executed, 0),
            StoreEvent(kind: .completed, at: start + .seconds(1), tenant: tenant, token: token, responseStatus: 201,
                       response: response),
            req(token, .replayed, 2), req(token, .mismatch, 3), req(token, .conflict, 4),
            StoreEvent(kind: .purge, at: start + .seconds(5), tenant: tenant, token: token, actor: value("A"),
                       reason: value("W"), sawStatus: .completed, sawVersion: 2),
            req(token, .reexecuted, 6),
            StoreEvent(kind: .replay, at: start + .seconds(7), tenant: tenant, token: token, actor: value("A"),
                       reason: value("W"), target: "http://127.0.0.1:9" + value("U"), resultStatus: 201),
            req(other, .executed, 8),
            StoreEvent(kind: .failed, at: start + .seconds(9), tenant: tenant, token: other, error: value("E")),
        ]
    }

    /// Lines a journal reader cannot read, echoing hostile text in its warning: an unknown outcome (valid JSON whose
    /// string decodes to the sequences), and a line that is not JSON at all, raw.
    public static let malformedLines = [
        #"{"v":1,"kind":"request","at":"2026-11-29T05:00:00Z","tenant":"t","token":"x","outcome":""#
            + value("M").replacingEscapes() + #""}"#,
        "not json " + oneLine("N"),
    ]

    /// What in `bytes` would reach a terminal raw: a C0 control other than newline and tab, DEL, a C1 control
    /// (U+0080-U+009F as UTF-8), a bidi override or isolate (U+202A-U+202E, U+2066-U+2069), U+2028/U+2029. Empty when
    /// the bytes are safe.
    public static func unsafe(_ bytes: [UInt8]) -> [String] {
        var found: [String] = []
        for (i, b) in bytes.enumerated() {
            if (b < 0x20 && b != 0x0A && b != 0x09) || b == 0x7F { found.append("byte 0x\(String(b, radix: 16)) at \(i)") }
            if b == 0xC2, i + 1 < bytes.count, (0x80...0x9F).contains(bytes[i + 1]) {
                found.append("C1 U+00\(String(bytes[i + 1], radix: 16)) at \(i)")
            }
            if b == 0xE2, i + 2 < bytes.count {
                let (b1, b2) = (bytes[i + 1], bytes[i + 2])
                if (b1 == 0x80 && (0xA8...0xAE).contains(b2)) || (b1 == 0x81 && (0xA6...0xA9).contains(b2)) {
                    found.append("format character E2 \(String(b1, radix: 16)) \(String(b2, radix: 16)) at \(i)")
                }
            }
        }
        return found
    }
}

extension String {
    /// The text as it sits inside a JSON string literal: control characters as `\u00XX`, quotes and backslashes
    /// escaped (other scalars as they are).
    func replacingEscapes() -> String {
        var out = ""
        for u in unicodeScalars {
            switch u.value {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0..<0x20: out += "\\u00" + (u.value < 16 ? "0" : "") + String(u.value, radix: 16)
            default: out.unicodeScalars.append(u)
            }
        }
        return out
    }
}
