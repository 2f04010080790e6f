import Foundation

/// A Python virtual environment with aws-lambda-powertools 3.37.0 and boto3, cached under
/// `.build/powertools-venv`, and the driver that runs real `@idempotent` handlers in it.
enum PowertoolsVenv {
    static let packages = ["aws-lambda-powertools==3.37.0", "boto3"]
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let dir = root.appendingPathComponent(".build/powertools-venv")
    static let driver = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/powertools_driver.py")
    static var python: String { dir.appendingPathComponent("bin/python").path }
    nonisolated(unsafe) private static var ready = false
    private static let lock = NSLock()

    /// Makes the venv when missing (about 10-20 s, once), else reuses it.
    static func ensure() throws {
        try lock.withLock {
            if ready { return }
            if try run(python, ["-c", "import aws_lambda_powertools, boto3"]).code != 0 {
                let made = try run("/usr/bin/env", ["python3", "-m", "venv", dir.path])
                guard made.code == 0 else {
                    throw HarnessError("python3 -m venv failed (apt-get install python3-venv): \(made.err)")
                }
                let pip = try run(python, ["-m", "pip", "install", "-q"] + packages)
                guard pip.code == 0 else {
                    throw HarnessError("pip install \(packages.joined(separator: " ")) failed: \(pip.err)")
                }
            }
            ready = true
        }
    }

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
        guard FileManager.default.isExecutableFile(atPath: program) else { return (127, "", "\(program): not found") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let out = Pipe(), err = Pipe(), inp = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = inp
        try p.run()
        if let input { inp.fileHandleForWriting.write(input) }
        try inp.fileHandleForWriting.close()
        let group = DispatchGroup()
        nonisolated(unsafe) var o = Data(), e = Data()
        group.enter()
        DispatchQueue.global().async { o = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { e = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.wait()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }
}
