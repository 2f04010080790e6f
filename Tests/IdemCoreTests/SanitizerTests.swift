import Foundation
import IdemCore
import IdemFakes
import Testing

/// The one sanitiser at every writer's boundary: visible text for lines and stderr, `\uXXXX` for JSON, neutral
/// CSV cells; each idempotent, so text made visible early passes the boundary unchanged.
@Suite struct SanitizerTests {
    let hostile = HostileText.value("x")

    @Test func visibleIsIdempotentAndKeepsTheLayoutWhenAsked() {
        let once = Sanitizer.visible(hostile)
        #expect(Sanitizer.visible(once) == once)
        #expect(HostileText.unsafe(Array(once.utf8)).isEmpty && !once.contains("\n"))
        #expect(once.contains(#"\x1b[2J"#) && once.contains(#"\u{9b}"#) && once.contains(#"\u{202e}"#))
        #expect(once.contains(#"\u{2028}"#) && once.contains(#"\x7f"#) && once.contains(#"\x07"#))
        let layout = Sanitizer.visible("a\tb\n" + hostile, keepingLayout: true)
        #expect(layout.hasPrefix("a\tb\nx\\x1b[2J") && layout.contains(#"\r"#) && layout.hasSuffix("\n\t"))
        #expect(Sanitizer.visible(layout, keepingLayout: true) == layout)
        #expect(HostileText.unsafe(Array(layout.utf8)).isEmpty)
    }

    @Test func jsonEscapesWhatJSONSerializationLeavesRaw() throws {
        let data = try JSONSerialization.data(withJSONObject: ["k": hostile, "e": "👨\u{200d}👩\u{200d}👧 ok"],
                                              options: [.sortedKeys, .prettyPrinted])
        let safe = Sanitizer.jsonSafe(String(decoding: data, as: UTF8.self))
        #expect(HostileText.unsafe(Array(safe.utf8)).isEmpty, "\(safe)")
        #expect(safe.contains(#"\u009b"#) && safe.contains(#"\u007f"#) && safe.contains(#"\u202e"#) && safe.contains(#"\u2028"#))
        #expect(Sanitizer.jsonSafe(safe) == safe)
        // The same JSON value: it parses back to the hostile text.
        let back = try #require(try JSONSerialization.jsonObject(with: Data(safe.utf8)) as? [String: String])
        #expect(back == ["k": hostile, "e": "👨\u{200d}👩\u{200d}👧 ok"])
    }

    @Test func journalLinesEscapeC1DelAndBidiAndStillRoundTrip() {
        var d = EventLineDecoder(decodeBodies: true)
        for e in HostileText.events(start: Instant(ms: 1_800_000_000_000)) {
            let line = EventLineEncoder.encode(e)
            #expect(HostileText.unsafe(Array(line.dropLast())).isEmpty, "\(EventLineEncoder.line(e))")
            #expect(d.decode(line, seq: e.seq, ref: e.ref) == .event(e))
        }
        var out: [UInt8] = []
        EventLineEncoder.string("a\u{E0041}b\u{7f}", &out)
        #expect(String(decoding: out, as: UTF8.self) == #""a\udb40\udc41b\u007f""#, "a tag character as a surrogate pair")
    }

    @Test func csvCellsAreNeutralAndVisible() {
        #expect(TextTable.csvLine(["=HYPERLINK(\"http://x\")", "+1+2", "-cmd", "@SUM(A1)", "\tx", "\rx", "ok"])
                == #""'=HYPERLINK(""http://x"")",'+1+2,'-cmd,'@SUM(A1),'\tx,'\rx,ok"#)
        #expect(TextTable.csvLine(["-3600.5", "+12", "-", "a,b", "line\nbreak"]) == #"-3600.5,+12,'-,"a,b",line\nbreak"#)
        #expect(HostileText.unsafe(Array(TextTable.csvLine([hostile]).utf8)).isEmpty)
    }
}
