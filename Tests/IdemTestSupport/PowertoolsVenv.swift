import Foundation
import IdemCore
import IdemProcess

/// The Python virtual environment the store tests drive real libraries in: aws-lambda-powertools 3.37.0 with boto3
/// (DynamoDB) and redis (the cache layer), cached under `.build/powertools-venv` and shared by the test targets.
public enum PowertoolsVenv {
    public static let venv = PythonVenv(name: "powertools-venv",
                                        packages: ["aws-lambda-powertools==3.37.0", "boto3", "redis"],
                                        modules: ["aws_lambda_powertools", "boto3", "redis"])
    /// The package's root folder.
    public static var root: URL { PythonVenv.root }
    public static var dir: URL { venv.dir }
    public static var python: String { venv.python }

    /// Makes the venv when missing, or installs what it lacks (about 10-20 s, once), else reuses it.
    public static func ensure() throws { try venv.ensure() }

    /// Runs `script` with a spec on stdin; returns one parsed JSON object per line it printed.
    public static func drive(script: URL, _ spec: [String: Any], environment: [String: String] = [:]) throws -> [[String: Any]] {
        try ensure()
        let data = try JSONSerialization.data(withJSONObject: spec)
        let r = try run(python, [script.path, "-"], input: data, environment: environment)
        guard r.code == 0 else { throw HarnessError("\(script.lastPathComponent) failed (\(r.code)): \(r.err)") }
        return r.out.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    /// Starts `script` without waiting (for a handler the test kills); returns the process and its stdout.
    public static func start(script: URL, _ spec: [String: Any]) throws -> (Process, FileHandle) {
        try ensure()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [script.path, "-"]
        let input = Pipe().closeOnExec(), output = Pipe().closeOnExec()
        p.standardInput = input
        p.standardOutput = output
        p.standardError = FileHandle.nullDevice
        try p.run()
        input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: spec))
        try input.fileHandleForWriting.close()
        return (p, output.fileHandleForReading)
    }

    /// Runs a program to completion.
    public static func run(_ program: String, _ args: [String], input: Data? = nil,
                           environment: [String: String] = [:]) throws -> (code: Int32, out: String, err: String) {
        try PythonVenv.run(program, args, input: input, environment: environment)
    }
}
