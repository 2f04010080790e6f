import Foundation
import IdemTestSupport

/// A Python virtual environment with aws-lambda-powertools 3.37.0 and boto3, cached under
/// `.build/powertools-venv`, and the driver that runs real `@idempotent` handlers in it.
enum PowertoolsVenv {
    static let venv = PythonVenv(name: "powertools-venv", packages: ["aws-lambda-powertools==3.37.0", "boto3"],
                                  modules: ["aws_lambda_powertools", "boto3"])
    static let driver = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/powertools_driver.py")
    static var python: String { venv.python }

    /// Makes the venv when missing (about 10-20 s, once), else reuses it.
    static func ensure() throws { try venv.ensure() }

    /// Runs the driver with a spec; returns one parsed JSON object per line it printed.
    static func drive(_ spec: [String: Any]) throws -> [[String: Any]] {
        try ensure()
        let data = try JSONSerialization.data(withJSONObject: spec)
        let r = try run(python, [driver.path, "-"], input: data)
        guard r.code == 0 else { throw HarnessError("powertools driver failed (\(r.code)): \(r.err)") }
        return r.out.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    /// Starts the driver without waiting (for a handler the test kills); returns the process and its stdout.
    static func start(_ spec: [String: Any]) throws -> (Process, FileHandle) {
        try ensure()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [driver.path, "-"]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        p.standardError = FileHandle.nullDevice
        try p.run()
        input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: spec))
        try input.fileHandleForWriting.close()
        return (p, output.fileHandleForReading)
    }

    /// Runs a program to completion.
    static func run(_ program: String, _ args: [String], input: Data? = nil,
                    environment: [String: String] = [:]) throws -> (code: Int32, out: String, err: String) {
        try PythonVenv.run(program, args, input: input, environment: environment)
    }
}
