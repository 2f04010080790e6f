import Foundation
import IdemUI
import Testing

/// Every theme file parses with every role set; the embedded copies match the files; errors name file, line, key.
@Suite struct ThemeTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../themes").standardized

    static var files: [URL] {
        ((try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? [])
            .filter { $0.pathExtension == "theme" }.sorted { $0.path < $1.path }
    }

    @Test func everyThemeFileResolvesEveryRole() throws {
        #expect(Self.files.count >= 5, "themes/ should hold dark, light, high-contrast, colour-blind, monochrome")
        for file in Self.files {
            let text = try String(contentsOf: file, encoding: .utf8)
            let theme = try ThemeParser.parse(text, file: file.lastPathComponent)
            #expect(theme.definedRoles == Set(Role.allCases), "\(file.lastPathComponent)")
        }
    }

    @Test func embeddedThemesAreTheFiles() throws {
        var names: [String] = []
        for file in Self.files {
            let name = file.deletingPathExtension().lastPathComponent
            names.append(name)
            let text = try String(contentsOf: file, encoding: .utf8)
            #expect(BuiltinThemes.text[name] == text, "\(name): run themes/generate.sh")
        }
        #expect(Set(BuiltinThemes.text.keys) == Set(names), "run themes/generate.sh")
    }

    @Test func builtinsLoadByNameAndAlias() throws {
        for name in ["dark", "light", "high-contrast", "colour-blind", "color-blind", "monochrome"] {
            #expect(try BuiltinThemes.named(name) != nil, "\(name)")
        }
        #expect(try BuiltinThemes.named("nope") == nil)
        #expect(BuiltinThemes.names.first == "dark")
    }

    @Test func formatDetails() throws {
        let t = try ThemeParser.parse("""
            # a comment
            name = "mine"
            [palette]
            red = #ff0000   # trailing comment
            [roles]
            \(Role.allCases.map { "\($0.rawValue) = default" }.joined(separator: "\n"))
            stuck = red on 17 bold underline
            selection = reverse
            """, file: "mine.theme")
        #expect(t.name == "mine")
        #expect(t[.stuck] == Style(fg: .rgb(255, 0, 0), bg: .index(17), attributes: [.bold, .underline]))
        #expect(t[.selection] == Style(attributes: .reverse))
        #expect(t.withoutColor[.stuck] == Style(attributes: [.bold, .underline]))
    }

    func error(_ text: String) -> ThemeError? {
        do {
            _ = try ThemeParser.parse(text, file: "broken.theme")
            return nil
        } catch {
            return error
        }
    }

    @Test func brokenThemesNameFileLineAndKey() {
        let allRoles = Role.allCases.map { "\($0.rawValue) = default" }.joined(separator: "\n")
        let badColour = error("[palette]\nred = #ff0000\n[roles]\n\(allRoles)\nstuck = redd bold")
        #expect(badColour?.line == 29)
        #expect(badColour?.key == "stuck")
        #expect(badColour?.description.hasPrefix("broken.theme:29: 'stuck': unknown colour 'redd'") == true)

        let badRole = error("[roles]\nstuk = bold")
        #expect(badRole?.line == 2 && badRole?.key == "stuk")

        let missing = error("[roles]\nnormal = default")
        #expect(missing?.message.contains("not set") == true)
        #expect(missing?.key == "completed")

        let badSection = error("[colours]")
        #expect(badSection?.line == 1)

        let badPalette = error("[palette]\nx = #12345")
        #expect(badPalette?.key == "x" && badPalette?.line == 2)

        let noEquals = error("[roles]\nstuck red")
        #expect(noEquals?.line == 2)

        let extraWord = error("[roles]\nstuck = default blue")
        #expect(extraWord?.message.contains("unexpected 'blue'") == true)
    }
}
