import IdemCore
import IdemUI
import Testing

/// Widths, the sanitizer, and the grid's handling of wide and zero-width text.
@Suite struct TextTests {
    @Test func widths() {
        #expect(TextWidth.of("abc") == 3)
        #expect(TextWidth.of("東京") == 4)
        #expect(TextWidth.of("注文-2026") == 9)
        #expect(TextWidth.of("café") == 4)
        #expect(TextWidth.of("cafe\u{301}") == 4)  // combining acute
        #expect(TextWidth.of("👍") == 2)
        #expect(TextWidth.of("👍🏽") == 2)  // skin tone modifier
        #expect(TextWidth.of("👨‍👩‍👧") == 2)  // ZWJ family
        #expect(TextWidth.of("❤️") == 2)  // VS16
        #expect(TextWidth.of("한국어") == 6)
        #expect(TextWidth.of("ｆｕｌｌ") == 8)
        #expect(TextWidth.of("\u{200B}") == 0)
    }

    @Test func elisionKeepsBothEnds() {
        #expect(TextWidth.elideMiddle("3f2a9c1d7e5b4a60b1c2d3e4f5a691bc", to: 9) == "3f2a…91bc")
        #expect(TextWidth.elideMiddle("short", to: 9) == "short")
        #expect(TextWidth.of(TextWidth.elideMiddle("東京東京東京東京", to: 7)) <= 7)
        #expect(TextWidth.truncate("abcdef", to: 4) == "abc…")
    }

    @Test func operationsKeepTheirMethodAndTheEndOfThePath() {
        #expect(TextWidth.elideOperation("POST /v1/charges", to: 14) == "POST …/charges")
        #expect(TextWidth.elideOperation("POST /v1/charges", to: 15) == "POST …/charges", "a whole segment, not …1/charges")
        #expect(TextWidth.elideOperation("POST /v1/charges", to: 16) == "POST /v1/charges")
        #expect(TextWidth.elideOperation("DELETE /v1/customers/cus_1/sources", to: 15) == "DELETE …sources")
        #expect(TextWidth.elideOperation("POST /v1/café/paiements", to: 12) == "POST …ements")
        #expect(TextWidth.of(TextWidth.elideOperation("POST /v1/東京/注文", to: 10)) <= 10)
        // Not a method and a path: the middle goes, as for tokens.
        #expect(TextWidth.elideOperation("payments.handler.charge", to: 11) == "payme…harge")
        #expect(TextWidth.elideOperation("POST /v1/charges", to: 7) == "POS…ges", "too narrow for the method")
    }

    @Test func sanitizerMakesControlsVisible() {
        #expect(Sanitizer.visible("plain") == "plain")
        #expect(Sanitizer.visible("a\u{1b}[31mred") == "a\\x1b[31mred")
        #expect(Sanitizer.visible("a\nb\tc\r") == "a\\nb\\tc\\r")
        #expect(Sanitizer.visible("\u{07}\u{7f}\u{9b}") == "\\x07\\x7f\\u{9b}")
        #expect(Sanitizer.visible("abc\u{202e}fed") == "abc\\u{202e}fed")
        #expect(Sanitizer.visible("zero\u{200b}width") == "zero\\u{200b}width")
        #expect(Sanitizer.visible("\u{feff}bom") == "\\u{feff}bom")
        #expect(Sanitizer.visible("東京 café") == "東京 café")
        #expect(Sanitizer.visible("👨‍👩‍👧") == "👨‍👩‍👧")  // joiners inside an emoji stay
        #expect(Sanitizer.visible("a\u{200d}b") == "a\\u{200d}b")  // a joiner elsewhere hides nothing
        // The title-setting OSC sequence cannot reach the terminal.
        #expect(!Sanitizer.visible("\u{1b}]0;pwned\u{07}").unicodeScalars.contains { $0.value < 0x20 })
    }

    @Test func gridKeepsColumnsAlignedWithWideText() {
        var g = Grid(width: 12, height: 2)
        g.put("東京x", x: 0, y: 0, role: .normal)
        g.put("|", x: 5, y: 0, role: .border)
        #expect(g.line(0) == "東京x|      ")
        #expect(g[1, 0].isContinuation && g[0, 0].width == 2)
        // A wide grapheme that does not fit whole is left out.
        let used = g.put("ab東", x: 0, y: 1, role: .normal, limit: 3)
        #expect(used == 3)
        #expect(g.line(1) == "ab          ")
        // Overwriting half of a wide grapheme blanks the other half.
        g.put("z", x: 1, y: 0, role: .normal)
        #expect(g.line(0) == " z京x|      ")
    }

    @Test func loneCombiningMarkGetsABase() {
        var g = Grid(width: 4, height: 1)
        g.put("\u{301}a", x: 0, y: 0, role: .normal)
        #expect(g.line(0).hasPrefix("◌\u{301}a"))
    }

    @Test func jsonIsReindentedAndMasked() {
        let secrets = SecretFields.standard
        let lines = JSONPretty.lines(#"{"a":1,"card_number":"4242424242424242","n":{"cvc":"123","ok":[true,null]}}"#,
                                     secrets: secrets)
        let text = lines?.map { $0.map(\.text).joined() } ?? []
        #expect(text == [
            "{", "  \"a\": 1,", "  \"card_number\": \"****4242\",", "  \"n\": {", "    \"cvc\": \"****\",",
            "    \"ok\": [", "      true,", "      null", "    ]", "  }", "}",
        ])
        #expect(JSONPretty.lines("not json", secrets: secrets) == nil)
        #expect(JSONPretty.lines("{\"a\":", secrets: secrets) == nil)
        let esc = JSONPretty.lines("{\"x\":\"\u{1b}\"}", secrets: secrets)?.map { $0.map(\.text).joined() } ?? []
        #expect(esc.contains("  \"x\": \"\\x1b\""))
    }
}
