import Foundation
import IdemApp
import Testing

/// The config file's text, parsed in the library: every key, every wrong value as one line naming line and key.
@Suite struct UserConfigTests {
    @Test func everyKeyParses() throws {
        let c = try UserConfig.parse("""
            # an auditor's setup
            theme = "light"
            refresh_ms = 120
            secret_fields = ["x-signature", "iban"]
            idempotency_header = "X-Idempotency-Key"
            read_only = true
            target = "http://127.0.0.1:8080"
            """)
        #expect(c.theme == "light" && c.refreshMs == 120 && c.readOnly && c.target == "http://127.0.0.1:8080")
        #expect(c.secretFields == ["x-signature", "iban"] && c.idempotencyHeader == "X-Idempotency-Key")
        #expect(try UserConfig.parse("") == UserConfig())
        #expect(try UserConfig.parse("cache = false").cache == false && UserConfig().cache)
    }

    @Test(arguments: [
        ("refresh_ms = 5", 1, "refresh_ms", "wants a whole number from 10 to 5000"),
        ("theme = light", 1, "theme", "wants a quoted string"),
        ("\nread_only = yes", 2, "read_only", "wants true or false"),
        ("cache = off", 1, "cache", "wants true or false"),
        ("secret_fields = \"iban\"", 1, "secret_fields", "wants a list of quoted names"),
        ("idempotency_header = \"a b\"", 1, "idempotency_header", "wants a header name"),
        ("colour = \"red\"", 1, "colour", "unknown key"),
    ])
    func aWrongValueNamesItsLineAndKey(_ text: String, line: Int, key: String, message: String) {
        #expect {
            _ = try UserConfig.parse(text)
        } throws: { error in
            guard let e = error as? UserConfig.ConfigError else { return false }
            return e.line == line && e.key == key && e.message.hasPrefix(message)
        }
    }

    @Test func theFileIsFoundThroughXDGAndABrokenOneIsOneLine() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("idemtop-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("idemtop"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let env = ["XDG_CONFIG_HOME": dir.path, "HOME": "/nonexistent"]
        #expect(UserConfig.path(environment: env) == dir.path + "/idemtop/config.toml")
        #expect(try UserConfig.load(environment: env) == UserConfig())
        try Data("read_only = maybe\n".utf8).write(to: dir.appendingPathComponent("idemtop/config.toml"))
        #expect {
            _ = try UserConfig.load(environment: env)
        } throws: { error in
            "\(error)" == "config.toml:1: 'read_only': wants true or false (\(dir.path)/idemtop/config.toml)"
        }
        #expect(throws: ConfigFileError.self) {
            _ = try UserConfig.load(environment: ["IDEMTOP_CONFIG": dir.path + "/missing.toml"])
        }
    }
}
