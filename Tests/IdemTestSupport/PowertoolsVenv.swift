import Foundation
import IdemCore
import IdemProcess

/// The Python virtual environment the store tests drive real libraries in: aws-lambda-powertools 3.37.0 with boto3
/// (DynamoDB) and redis (the cache layer), cached under `.build/powertools-venv` and shared by the test targets.
public enum PowertoolsVenv {
    public static let packages = ["aws-lambda-powertools==3.37.0", "boto3", "redis"]
    /// The package's root folder.
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    public static let dir = root.appendingPathComponent(".build/powertools-venv")
    public static var python: String { dir.appendingPathComponent("bin/python").path }
    private static let ready = Locked(false)

    /// Makes the venv when missing, or installs what it lacks (about 10-20 s, once), else reuses it.
    public static func ensure() throws {
        try ready.withLock { ready in
            if ready { return }
            if try run(python, ["-c", "import aws_lambda_powertools, boto3, redis"]).code != 0 {
                if !FileManager.default.isExecutableFile(atPath: python) {
                    let made = try run("/usr/bin/env", ["python3", "-m", "venv", dir.path])
                    guard made.code == 0 else {
                        throw HarnessError("python3 -m venv failed (apt-get install python3-venv): \(made.err)")
                    }
                }
                let pip = try run(python, ["-m", "pip", "install", "-q"] + packages)
                guard pip.code == 0 else {
                    throw HarnessError("pip install \(packages.joined(separator: " ")) failed: \(pip.err)")
                }
            }
            ready = true
        }
    }

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
        guard FileManager.default.isExecutableFile(atPath: program) else { return (127, "", "\(program): not found") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let out = Pipe().closeOnExec(), err = Pipe().closeOnExec(), inp = Pipe().closeOnExec()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = inp
        try p.run()
        if let input { inp.fileHandleForWriting.write(input) }
        try inp.fileHandleForWriting.close()
        let group = DispatchGroup()
        let o = Locked(Data()), e = Locked(Data())
        group.enter()
        DispatchQueue.global().async { o.withLock { $0 = out.fileHandleForReading.readDataToEndOfFile() }; group.leave() }
        group.enter()
        DispatchQueue.global().async { e.withLock { $0 = err.fileHandleForReading.readDataToEndOfFile() }; group.leave() }
        group.wait()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o.withLock { $0 }, as: UTF8.self),
                String(decoding: e.withLock { $0 }, as: UTF8.self))
    }
}

/// A harness failure with a clear message: the tests fail with it, never skip.
public struct HarnessError: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}
