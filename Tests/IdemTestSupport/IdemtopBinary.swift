import Foundation

/// The built `idemtop` binary, run as a user would: what the store suites' end-to-end checks call.
public enum IdemtopBinary {
    public static var path: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("idemtop").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return PowertoolsVenv.root.appendingPathComponent(".build/debug/idemtop").path
    }

    /// Runs it to completion with `NO_COLOR=1` and `environment` over this process's own.
    public static func run(_ args: [String], environment: [String: String] = [:])
        throws -> (code: Int32, out: String, err: String) {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw HarnessError("no idemtop binary at \(path): run swift build first")
        }
        return try PowertoolsVenv.run(path, args, environment: environment.merging(["NO_COLOR": "1"]) { a, _ in a })
    }
}
