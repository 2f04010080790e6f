import Foundation
import Testing
@testable import IdemCore

/// The journal line codec: what the encoder writes, the decoder reads back, and the reasons it gives for bad lines.
@Suite struct EventLineCodecTests {
    static let t0 = Instant(rfc3339: "2026-11-29T05:55:54.123Z")!
    static let fp = Fingerprint(String(repeating: "ab", count: 32))
    static let fp2 = Fingerprint(String(repeating: "0f", count: 32))

    /// One event of every kind and every outcome, bodies included.
    static func samples() -> [StoreEvent] {
        let req = StoredRequest(method: "POST", path: "/v1/charges", headers: ["Content-Type": "application/json"],
                                body: #"{"amount":1000,"currency":"eur"}"#)
        var out: [StoreEvent] = []
        for o in Outcome.allCases {
            var e = StoreEvent(kind: .request, at: t0, tenant: "acme", token: "tok-\(o.rawValue)",
                               operation: "POST /v1/charges", fingerprint: fp, outcome: o)
            if o.executes {
                e.expiresAt = t0 + .hours(24)
                e.lockedUntil = t0 + .seconds(60)
                e.request = req
            }
            if o == .mismatch { e.storedFingerprint = fp2 }
            out.append(e)
        }
        let resp = StoredResponse(status: 201, headers: ["Content-Type": "application/json"], body: #"{"id":"ch_1"}"#)
        out.append(StoreEvent(kind: .completed, at: t0 + .seconds(1), tenant: "acme", token: "tok-executed",
                              expiresAt: t0 + .hours(48), responseStatus: 201, response: resp))
        out.append(StoreEvent(kind: .completed, at: t0, tenant: "acme", token: "nobody",
                              responseStatus: 204, response: StoredResponse(status: 204, body: nil)))
        out.append(StoreEvent(kind: .failed, at: t0, tenant: "acme", token: "tok-f", error: "upstream timed out"))
        out.append(StoreEvent(kind: .purge, at: t0, tenant: "acme", token: "tok-p", actor: "ana@box", reason: "stuck",
                              sawStatus: .stuck, sawVersion: 3))
        out.append(StoreEvent(kind: .replay, at: t0, tenant: "acme", token: "tok-r", actor: "ana@box",
                              reason: "customer asked", target: "http://127.0.0.1:8080", resultStatus: 200))
        return out
    }

    func roundTrip(_ e: StoreEvent, bodies: Bool = true) -> DecodedLine {
        var d = EventLineDecoder(decodeBodies: bodies)
        return d.decode(EventLineEncoder.encode(e), seq: e.seq, ref: e.ref)
    }

    @Test func roundTripEveryKindAndOutcome() {
        for (n, var e) in Self.samples().enumerated() {
            e.seq = Int64(n + 1)
            e.ref = Int64(n * 100)
            #expect(roundTrip(e) == .event(e), "\(EventLineEncoder.line(e))")
        }
    }

    @Test func bulkDecodeSkipsBodiesButKeepsStatus() {
        for e in Self.samples() {
            var expected = e
            expected.request = nil
            expected.response = nil
            #expect(roundTrip(e, bodies: false) == .event(expected))
        }
    }

    @Test func encodedLineIsOneLineOfJSON() throws {
        for e in Self.samples() {
            let line = EventLineEncoder.encode(e)
            #expect(line.last == 10)
            #expect(line.dropLast().allSatisfy { $0 >= 0x20 })
            let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
            #expect(object?["kind"] as? String == e.kind.rawValue)
            #expect(object?["v"] as? Int == 1)
        }
    }

    @Test func exactLineForACompletedEvent() {
        let e = StoreEvent(kind: .completed, at: Self.t0, tenant: "acme", token: "k1", responseStatus: 201,
                           response: StoredResponse(status: 201, headers: ["B": "2", "A": "1"], body: nil))
        #expect(EventLineEncoder.line(e) == #"{"v":1,"kind":"completed","at":"2026-11-29T05:55:54.123Z","tenant":"acme","token":"k1","response":{"status":201,"headers":{"A":"1","B":"2"},"body":null}}"# + "\n")
    }

    @Test func escapesRoundTrip() {
        let nasty = "q\"b\\s/ nl\n cr\r tab\t bs\u{8} ff\u{c} nul\u{0} esc\u{1b} del\u{7f}"
        let e = StoreEvent(kind: .failed, at: Self.t0, tenant: "t\"1", token: nasty, error: nasty)
        let line = EventLineEncoder.line(e)
        #expect(line.contains(#"nul\u0000 esc\u001b"#))
        #expect(line.contains(#"q\"b\\s/ nl\n cr\r tab\t bs\b ff\f"#))
        #expect(roundTrip(e) == .event(e))
    }

    @Test func unicodeRoundTripsAndEscapesDecode() {
        let e = StoreEvent(kind: .failed, at: Self.t0, tenant: "東京", token: "支払い-😀-é", error: "ошибка 🚀")
        #expect(roundTrip(e) == .event(e))
        var d = EventLineDecoder()
        let line = #"{"kind":"failed","at":"2026-11-29T05:55:54.123Z","tenant":"\u6771\u4eac","token":"\ud83d\ude00\u00e9\/x","error":"lone \ud800 end"}"#
        let got = d.decode(line).event
        #expect(got?.tenant == "東京")
        #expect(got?.token == "😀é/x")
        #expect(got?.error == "lone \u{FFFD} end")
    }

    @Test func unknownKeysAnyOrderAndWhitespace() {
        let line = """
             { "extra" : { "a" : [1, -2.5e3, true, false, null, "}]\\"", {"b": {}}], "c": [] } ,\t"token":"k",
            "tenant" : "acme", "outcome":"replayed" , "at" : "2026-11-29T07:55:54.123+02:00", "n": 12,
            "fingerprint": "not-a-sha", "kind" :"request", "v": 1, "operation":"POST /x" }\r
            """.replacingOccurrences(of: "\n", with: " ")
        var d = EventLineDecoder()
        let e = d.decode(line, seq: 7, ref: 42).event
        #expect(e?.kind == .request)
        #expect(e?.outcome == .replayed)
        #expect(e?.at == Self.t0)
        #expect(e?.tenant == "acme")
        #expect(e?.token == "k")
        #expect(e?.fingerprint?.description == "not-a-sha")
        #expect(e?.operation == "POST /x")
        #expect(e?.seq == 7)
        #expect(e?.ref == 42)
    }

    @Test func nonStringBodyIsKeptAsItsJSONText() {
        let line = #"{"kind":"completed","at":"2026-11-29T05:55:54Z","tenant":"a","token":"b","response":{"body":{"id": 1},"status":200}}"#
        var d = EventLineDecoder(decodeBodies: true)
        let e = d.decode(line).event
        #expect(e?.response?.body == #"{"id": 1}"#)
        #expect(e?.responseStatus == 200)
        var bulk = EventLineDecoder()
        #expect(bulk.decode(line).event?.responseStatus == 200)
    }

    @Test(arguments: [
        ("", "empty line"),
        ("hello", "not JSON: the line is not an object"),
        ("[1,2]", "not JSON: the line is not an object"),
        (#"{"kind":"request""#, "not JSON: the line ends early (expected ',' or '}')"),
        (#"{"kind":"request"} x"#, "not JSON: unexpected 'x' at column 20 (text after the object)"),
        (#"{"kind":"request","at":"2026-11-29T05:55:54Z","tenant":"a","token":"b}"#, "not JSON: unterminated string"),
        (#"{"kind":"req\qest"}"#, "not JSON: bad escape at column 13"),
        (#"{"kind":"failed","at":"2026-11-29T05:55:54Z","tenant":"a"}"#, #"missing "token""#),
        (#"{"kind":"failed","at":"2026-11-29T05:55:54Z","token":"a"}"#, #"missing "tenant""#),
        (#"{"kind":"failed","tenant":"a","token":"b"}"#, #"missing "at""#),
        (#"{"at":"2026-11-29T05:55:54Z","tenant":"a","token":"b"}"#, #"missing "kind""#),
        (#"{"kind":"request","at":"2026-11-29T05:55:54Z","tenant":"a","token":"b"}"#, #"missing "outcome""#),
        (#"{"kind":"request","at":"2026-11-29T05:55:54Z","tenant":"a","token":"b","outcome":"exectued"}"#,
         #"unknown outcome "exectued""#),
        (#"{"kind":"charge","at":"2026-11-29T05:55:54Z","tenant":"a","token":"b"}"#, #"unknown kind "charge""#),
        (#"{"kind":"failed","at":"yesterday","tenant":"a","token":"b"}"#,
         #"bad "at": "yesterday" is not an RFC 3339 time"#),
        (#"{"kind":"failed","at":"2026-11-29T05:55:54Z","tenant":7,"token":"b"}"#, #""tenant" is not a string"#),
        (#"{"kind":"purge","at":"2026-11-29T05:55:54Z","tenant":"a","token":"b","saw_status":"gone"}"#,
         #"unknown saw_status "gone""#),
        (#"{"kind":"purge","at":"2026-11-29T05:55:54Z","tenant":"a","token":"b","saw_version":"3"}"#,
         #""saw_version" is not a number"#),
        ("{\"kind\":\"failed\",\"at\":\"2026-11-29T05:55:54Z\",\"tenant\":\"a\u{1}\",\"token\":\"b\"}",
         "not JSON: control character in a string at column 57"),
        (#"{"kind":"failed" "at":"x"}"#, "not JSON: unexpected '\"' at column 18 (expected ',' or '}')"),
        (#"{"x":tru}"#, "not JSON: unexpected 't' at column 6 (expected a value)"),
    ])
    func malformedReasons(line: String, reason: String) {
        var d = EventLineDecoder()
        #expect(d.decode(line) == .malformed(reason))
    }

    /// The string scanner reads eight bytes at a time: put every special byte at every position of a window.
    @Test func specialBytesAtEveryPositionOfTheFastPath() {
        var d = EventLineDecoder()
        for special in ["\"", "\\", "\n", "\u{1}", "é", "😀", "\u{7f}"] {
            for k in 0..<20 {
                let text = String(repeating: "x", count: k) + special + String(repeating: "y", count: 19 - k)
                let e = StoreEvent(kind: .failed, at: Self.t0, tenant: "a", token: text, error: text)
                #expect(d.decode(EventLineEncoder.encode(e)) == .event(e), "\(k) \(special.unicodeScalars.first?.value ?? 0)")
            }
        }
        // A raw control byte deep in a long string is still refused.
        let raw = #"{"kind":"failed","at":"2026-11-29T05:55:54Z","tenant":"a","token":"b","error":""#
            + String(repeating: "z", count: 37) + "\u{1f}" + #""}"#
        #expect(d.decode(raw).reason?.hasPrefix("not JSON: control character in a string") == true)
    }

    /// The string scanner reads sixteen bytes a step (SSE2) and the rest byte by byte: a special byte at every
    /// position of strings longer than three windows, placed so a window and the line's end cut them everywhere.
    @Test func specialBytesAtEveryPositionOfTheSixteenByteScan() {
        var d = EventLineDecoder()
        for special in ["\"", "\\", "\t", "\u{1f}", "é"] {
            for k in 0..<50 {
                let text = String(repeating: "x", count: k) + special + String(repeating: "y", count: 49 - k)
                let e = StoreEvent(kind: .failed, at: Self.t0, tenant: "a", token: "b", error: text)
                #expect(d.decode(EventLineEncoder.encode(e)) == .event(e), "\(k) \(special.unicodeScalars.first?.value ?? 0)")
            }
        }
        // A raw control byte at any place of a long string, the string's end within a window or not.
        let head = #"{"kind":"failed","at":"2026-11-29T05:55:54Z","tenant":"a","token":"b","error":""#
        for k in 0..<40 {
            let raw = head + String(repeating: "z", count: k) + "\u{1}" + String(repeating: "z", count: 39 - k) + #""}"#
            #expect(d.decode(raw).reason?.hasPrefix("not JSON: control character in a string") == true, "\(k)")
            let plain = head + String(repeating: "z", count: k) + #""}"#
            #expect(d.decode(plain).event?.error == String(repeating: "z", count: k))
        }
    }

    @Test func deepBrokenNestingIsRefusedNotCrashed() {
        let line = #"{"x":"# + String(repeating: "[", count: 100_000) + "}"
        var d = EventLineDecoder()
        #expect(d.decode(line) == .malformed("not JSON: unexpected '}' at column \(100_006) (expected a value)"))
    }

    @Test func anUnknownKeyNestedTenThousandDeepIsSkipped() {
        let e = StoreEvent(kind: .failed, at: Self.t0, tenant: "acme", token: "deep", error: "boom")
        let encoded = String(decoding: EventLineEncoder.encode(e), as: UTF8.self)
            .trimmingCharacters(in: .newlines)
        let arrays = String(repeating: "[", count: 10_000) + "1" + String(repeating: "]", count: 10_000)
        let objects = String(repeating: #"{"k":"#, count: 10_000) + #"[{}, [], "s", -1.5e3, true, null]"#
            + String(repeating: "}", count: 10_000)
        let mixed = String(repeating: #"[{"a":["#, count: 3_400) + "0" + String(repeating: "]}]", count: 3_400)
        var d = EventLineDecoder()
        for deep in [arrays, objects, mixed] {
            let first = #"{"x":"# + deep + "," + encoded.dropFirst()
            let last = encoded.dropLast() + #","x":"# + deep + "}"
            #expect(d.decode(first) == .event(e))
            #expect(d.decode(String(last)) == .event(e))
        }
        // Deep but broken is still malformed: a bracket that closes the wrong container, or one left open.
        let wrong = #"{"x":"# + String(repeating: "[", count: 10_000) + "}" + "," + encoded.dropFirst()
        #expect(d.decode(wrong).reason?.hasPrefix("not JSON: unexpected '}'") == true)
        let open = #"{"x":"# + String(repeating: "[", count: 10_000) + "1"
        #expect(d.decode(open).reason?.hasPrefix("not JSON: the line ends early") == true)
    }

    @Test func cachedStringsAreEqualAcrossLines() {
        var d = EventLineDecoder()
        var tenants: Set<String> = []
        for i in 0..<2000 {
            let tenant = "tenant-\(i % 7)"
            let e = StoreEvent(kind: .failed, at: Self.t0, tenant: tenant, token: "t\(i)", error: "x")
            let got = d.decode(EventLineEncoder.encode(e)).event
            #expect(got?.tenant == tenant)
            tenants.insert(got?.tenant ?? "")
        }
        #expect(tenants.count == 7)
    }
}

/// The examples in README.md's journal section are lines the decoder reads, and what idemtop writes reads back the same.
@Suite struct JournalFormatDocTests {
    @Test func everyExampleLineDecodes() throws {
        let doc = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md")
        let readme = try String(contentsOf: doc, encoding: .utf8)
        let start = try #require(readme.range(of: "\n## The journal format\n"))
        let end = readme.range(of: "\n## ", range: start.upperBound..<readme.endIndex)?.lowerBound ?? readme.endIndex
        let text = readme[start.upperBound..<end]
        let lines = text.split(separator: "\n").filter { $0.hasPrefix("{") }
        #expect(lines.count == 10)
        var kinds: Set<String> = []
        var d = EventLineDecoder(decodeBodies: true)
        for line in lines {
            let e = try #require(d.decode(String(line)).event, "\(line)")
            kinds.insert(e.label)
            // Lines idemtop writes are exactly what the encoder makes of them.
            if line.hasPrefix(#"{"v":1"#) { #expect(EventLineEncoder.line(e) == line + "\n") }
        }
        #expect(kinds == Set(Outcome.allCases.map(\.rawValue) + ["completed", "failed", "purge", "replay"]))
    }
}
