import CByteScan
import IdemSimulator
import Testing
@testable import IdemCore

/// The bulk read's C scan of a line (`idem_line_fields_scan`) against the Swift parse it stands before: on lines of
/// every kind and on thousands of their mutations (bytes deleted, inserted, replaced, lines cut short, keys
/// duplicated, escaped or given values of other types, nesting past the scan's depth), a decoder that scans in C and
/// one that does not give the same event or the same reason.
@Suite struct LineScanTests {
    static let lines: [String] = [
        #"{"v":1,"kind":"request","at":"2026-11-29T05:55:54.123Z","tenant":"acme","token":"4f1c2a9e-7b1d-4c55-9a0e-2f6b8d1e3c47","operation":"POST /v1/charges","fingerprint":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","outcome":"executed","expires_at":"2026-11-30T05:55:54.123Z","locked_until":"2026-11-29T05:56:54.123Z","request":{"method":"POST","path":"/v1/charges","headers":{"Content-Type":"application/json","Idempotency-Key":"4f1c"},"body":"{\"amount\":2000,\"currency\":\"usd\",\"note\":\"caf\u00e9 \\\" \/\"}"}}"#,
        #"{"v":1,"kind":"completed","at":"2026-11-29T05:55:54.412Z","tenant":"acme","token":"4f1c2a9e-7b1d-4c55-9a0e-2f6b8d1e3c47","response":{"status":201,"headers":{"Content-Type":"application/json"},"body":"{\"id\":\"ch_3Nf\",\"status\":\"succeeded\"}"}}"#,
        #"{"v":1,"kind":"completed","at":"2026-11-29T05:55:54.412Z","tenant":"acme","token":"t-2","response":{"headers":{},"body":{"id":"ch_1","amounts":[1,-2.5,3e10,0,true,false,null,{"a":[]}],"status":"x"},"status":-0}}"#,
        #"{"v":1,"kind":"request","at":"2026-11-29T05:57:00.250Z","tenant":"acme","token":"4f1c","operation":"POST /v1/charges","fingerprint":"60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752","outcome":"mismatch","stored_fingerprint":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}"#,
        #"{"v":1,"kind":"request","at":"2026-11-29T05:55:54.180Z","tenant":"acme","token":"4f1c","operation":null,"fingerprint":"sha1:abc","outcome":"conflict","expires_at":null}"#,
        #"{"v":1,"kind":"failed","at":"2026-11-29T06:10:00.500Z","tenant":"globex","token":"pay-77","error":"upstream timed out after 30s"}"#,
        #"{"v":1,"kind":"purge","at":"2026-11-29T06:20:00.000Z","tenant":"globex","token":"pay-78","actor":"ana@oncall-1","reason":"worker died, customer retrying","saw_status":"stuck","saw_version":3}"#,
        #"{"v":1,"kind":"replay","at":"2026-11-29T06:25:00.000Z","tenant":"acme","token":"4f1c","actor":"ana@oncall-1","reason":"verify the stored answer","target":"https://payments.internal:8443","result_status":200}"#,
        #"{ "token" : "k-1", "kind": "request", "outcome": "replayed", "x-trace": {"id": [1, 2]}, "tenant": "acme", "at": "2026-11-29T07:55:54+02:00" }"#,
        "\t" + #"{"kind":"request","at":"2026-11-29T07:55:54Z","tenant":"\u00e5rhus \"n\"","token":"k\ud83d\ude00","outcome":"executed","response":null,"request":null}  "#,
    ]

    /// What a line decodes to with the C scan and without it.
    static func both(_ bytes: [UInt8], _ scanning: inout EventLineDecoder, _ parsing: inout EventLineDecoder)
        -> (DecodedLine, DecodedLine) {
        (scanning.decode(bytes), parsing.decode(bytes))
    }

    static func scanTakes(_ bytes: [UInt8]) -> Bool {
        var f = idem_line_fields()
        return bytes.withUnsafeBufferPointer { idem_line_fields_scan($0.baseAddress!, $0.count, &f) } != 0
    }

    @Test func theScanTakesEveryKindOfWellFormedLineAndAgrees() {
        var scanning = EventLineDecoder(), parsing = EventLineDecoder()
        parsing.scansInC = false
        for line in Self.lines {
            let bytes = Array(line.utf8)
            #expect(Self.scanTakes(bytes), "the scan leaves \(line) to the Swift parse")
            let (a, b) = Self.both(bytes, &scanning, &parsing)
            #expect(a.event != nil, "\(line): \(a.reason ?? "")")
            #expect(a == b, "\(line)")
        }
    }

    @Test func onMutatedLinesBothGiveTheSameEventOrTheSameReason() {
        var scanning = EventLineDecoder(), parsing = EventLineDecoder()
        parsing.scansInC = false
        var rng = SeededRandom(seed: 41)
        let alphabet = Array(#"{}[]":,\ 0129.eE-+ntfrulsabu/"#.utf8) + [9, 10, 13, 1, 0x1f, 0x7f, 0xc3, 0xa9]
        let snippets = [
            #""kind":"request","#, #""token":null,"#, #""tenant":"x","#, #""tok\u0065n":"e","#, #""v":[1,{"a":2}],"#,
            #""response":{"status":2.5e2},"#, #""response":{"status":null,"status":201},"#, #""saw_version":1e2,"#,
            #""result_status":99999999999999999999,"#, #""response":{"st\u0061tus":500},"#, #""at":"yesterday","#,
            #""outcome":"exectued","#, #""saw_status":"sleepy","#, #""error":7,"#, #""request":{"a":1},"#,
            #""response":[],"#, #""deep":"# + String(repeating: "[", count: 70) + String(repeating: "]", count: 70) + ",",
            #""deep":"# + String(repeating: "[", count: 63) + String(repeating: "]", count: 63) + ",",
            #""n":-01,"#, #""n":1.,"#, #""n":.5,"#, #""n":tru,"#, #""n":nulll,"#, #""s":"a\x","#, #""s":"\u12G4","#,
            #""expires_at":"2026-02-30T00:00:00Z","#, #""saw_version":null,"#, #""response":{"status":404,"status":1},"#,
        ]
        var compared = 0, taken = 0, events = 0
        for round in 0..<6000 {
            var bytes = Array(Self.lines[round % Self.lines.count].utf8)
            let edits = 1 + Int(rng.int(0...2))
            for _ in 0..<edits {
                let at = Int(rng.int(0...Int64(bytes.count - 1)))
                switch rng.int(0...5) {
                case 0: bytes.remove(at: at)
                case 1: bytes.insert(alphabet[Int(rng.int(0...Int64(alphabet.count - 1)))], at: at)
                case 2: bytes[at] = alphabet[Int(rng.int(0...Int64(alphabet.count - 1)))]
                case 3: bytes.removeSubrange(at...)
                default:
                    // A snippet just inside the object: keys twice, values of other types, escaped names.
                    let snippet = Array(snippets[Int(rng.int(0...Int64(snippets.count - 1)))].utf8)
                    if let open = bytes.firstIndex(of: UInt8(ascii: "{")) { bytes.insert(contentsOf: snippet, at: open + 1) }
                }
                if bytes.isEmpty { bytes = [UInt8(ascii: "{")] }
            }
            let (a, b) = Self.both(bytes, &scanning, &parsing)
            #expect(a == b, "\(String(decoding: bytes, as: UTF8.self))")
            compared += 1
            if Self.scanTakes(bytes) { taken += 1 }
            if a.event != nil { events += 1 }
        }
        // The mutations reach both sides of the scan: lines it takes and lines it leaves, events and reasons.
        #expect(compared == 6000)
        #expect(taken > 600 && taken < 5400, "the scan took \(taken) of 6000")
        #expect(events > 600 && events < 5400, "\(events) of 6000 were events")
    }
}
