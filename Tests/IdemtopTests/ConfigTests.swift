import Foundation
import Testing

/// The user's config file, read by the real binary through XDG_CONFIG_HOME.
@Suite(.serialized) struct ConfigTests {
    func configDir(_ text: String) throws -> URL {
        let dir = try CLIRunner.tempDir()
        let folder = dir.appendingPathComponent("idemtop")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: folder.appendingPathComponent("config.toml"))
        return dir
    }

    @Test func readOnlyInTheConfigRefusesPurgesAndLeavesTheStoreAlone() throws {
        let dir = try configDir("""
            # an auditor's setup
            read_only = true
            theme = "light"
            secret_fields = ["x-signature", "iban"]
            idempotency_header = "X-Idempotency-Key"
            """)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("s.db").path
        let sim = try CLIRunner.run(["simulate", store, "--events", "300", "--seed", "2"])
        #expect(sim.code == 0, "\(sim.stderr)")
        let before = try Data(contentsOf: URL(fileURLWithPath: store))
        let mtime = try FileManager.default.attributesOfItem(atPath: store)[.modificationDate] as? Date
        let env = ["XDG_CONFIG_HOME": dir.path]
        let purge = try CLIRunner.run(["purge", store, "--status", "stuck", "--reason", "audit", "--yes"], environment: env)
        #expect(purge.code == 1, "\(purge.stdout) \(purge.stderr)")
        #expect(purge.stderr.contains("read-only"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: store)) == before)
        #expect(try FileManager.default.attributesOfItem(atPath: store)[.modificationDate] as? Date == mtime)
    }

    @Test func aBrokenConfigNamesTheFileTheLineAndTheKey() throws {
        let dir = try configDir("theme = \"dark\"\nrefresh_ms = fast\n")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLIRunner.run(["purge", "x.db", "--status", "stuck", "--reason", "r", "--yes"],
                                  environment: ["XDG_CONFIG_HOME": dir.path])
        #expect(r.code == 1)
        #expect(r.stderr.hasPrefix("idemtop: config.toml:2: 'refresh_ms': wants a whole number"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)

        let unknown = try configDir("colour = \"red\"\n")
        defer { try? FileManager.default.removeItem(at: unknown) }
        let u = try CLIRunner.run(["replay", "x.db", "t", "--target", "http://127.0.0.1:1", "--yes"],
                                  environment: ["XDG_CONFIG_HOME": unknown.path])
        #expect(u.code == 1)
        #expect(u.stderr.contains("config.toml:1: 'colour': unknown key"), "\(u.stderr)")
    }
}
