import Testing
@testable import IdemCore

@Suite struct SettingsLinesTests {
    @Test func entriesKeepTheirSectionLineAndRawValue() throws {
        let text = "# top\nname = \"mine\"\n\n[palette]\ngreen = #87d787   # a colour, then a comment\n[roles]\nstuck = green bold\n"
        let parsed = try SettingsLines.parse(text, allowedSections: ["palette", "roles"])
        #expect(parsed.entries.map(\.key) == ["name", "green", "stuck"])
        #expect(parsed.entries.map(\.section) == ["", "palette", "roles"])
        #expect(parsed.entries.map(\.line) == [2, 5, 7])
        #expect(parsed.entries[1].value == "#87d787")
        #expect(SettingsLines.unquoted(parsed.entries[0].value) == "mine")
        #expect(parsed.sections == ["palette": 4, "roles": 6])
    }

    @Test func badLinesFailWithTheirLineAndKey() {
        #expect(throws: SettingsLines.Failure(line: 2, key: "colours", message: "unknown section (expected [palette] or [roles])")) {
            _ = try SettingsLines.parse("a = 1\n[colours]\n", allowedSections: ["palette", "roles"])
        }
        #expect(throws: SettingsLines.Failure(line: 1, key: "x", message: "unknown section (this file has no sections)")) {
            _ = try SettingsLines.parse("[x]\n", allowedSections: [])
        }
        #expect(throws: SettingsLines.Failure(line: 1, key: "just words", message: "expected 'key = value'")) {
            _ = try SettingsLines.parse("just words\n", allowedSections: [])
        }
        #expect(throws: SettingsLines.Failure(line: 1, key: "", message: "missing key before '='")) {
            _ = try SettingsLines.parse(" = 3\n", allowedSections: [])
        }
    }

    @Test func aHashInsideQuotesIsNotAComment() throws {
        let parsed = try SettingsLines.parse("target = \"http://h/#frag\" # note\n", allowedSections: [])
        #expect(parsed.entries.first?.value == "\"http://h/#frag\"")
    }
}
