import Testing
import IdemCore

@Suite struct VisibleTextTests {
    @Test func escapeSequencesAndControlsBecomeVisible() {
        #expect(VisibleText.escape("ok") == "ok")
        #expect(VisibleText.escape("a\u{1B}[31mred") == "a\\e[31mred")
        #expect(VisibleText.escape("line1\nline2\r\t") == "line1\\nline2\\r\\t")
        #expect(VisibleText.escape("bell\u{07}") == "bell\\x07")
        #expect(VisibleText.escape("\u{9B}2J") == "\\u{009B}2J")
        #expect(VisibleText.escape("abc\u{202E}fed") == "abc\\u{202E}fed")
    }

    @Test func textInAnyLanguageIsLeftAlone() {
        for s in ["Zürich", "銀行", "💳 paid", "e\u{301}"] {
            #expect(VisibleText.escape(s) == s)
        }
    }
}
