import Foundation
import IdemCore
import IdemProcess

/// A Python virtual environment under `.build/`, made once with pinned packages from PyPI and reused: what the
/// DynamoDB tests (Powertools) and the Postgres tests (psycopg) drive real libraries through.
public struct PythonVenv: Sendable {
    /// The repository's root (three levels above this file).
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    public let dir: URL
    public let packages: [String]
    /// The modules `import` must find for the venv to count as ready.
    public let modules: [String]
    private static let made = Locked(Set<String>())

    /// A venv in `.build/NAME`.
    public init(name: String, packages: [String], modules: [String]) {
        dir = PythonVenv.root.appendingPathComponent(".build/\(name)")
        self.packages = packages
        self.modules = modules
    }

    public var python: String { dir.appendingPathComponent("bin/python").path }

    /// Makes the venv when missing (seconds, once), else reuses it.
    ///
    /// The whole check-and-make runs under one lock: suites run in parallel, and two `python3 -m venv` into the
    /// same folder at once fail (`File exists`); the second caller waits and then finds it made.
    public func ensure() throws {
        try PythonVenv.made.withLock { made in
            if made.contains(dir.path) { return }
            let check = "import " + modules.joined(separator: ", ")
            if try PythonVenv.run(python, ["-c", check]).code != 0 {
                let venv = try PythonVenv.run("/usr/bin/env", ["python3", "-m", "venv", dir.path])
                guard venv.code == 0 else {
                    throw HarnessError("python3 -m venv failed (apt-get install python3-venv): \(venv.err)")
                }
                let pip = try PythonVenv.run(python, ["-m", "pip", "install", "-q"] + packages)
                guard pip.code == 0 else {
                    throw HarnessError("pip install \(packages.joined(separator: " ")) failed: \(pip.err)")
                }
            }
            made.insert(dir.path)
        }
    }

    /// Runs a program to completion, feeding it `input`; both outputs are read while it runs.
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
        let o = Locked(Data()), e = Locked(Data())
        let group = DispatchGroup()
        group.enter()
        Thread.detachNewThread { o.withLock { $0 = out.fileHandleForReading.readDataToEndOfFile() }; group.leave() }
        group.enter()
        Thread.detachNewThread { e.withLock { $0 = err.fileHandleForReading.readDataToEndOfFile() }; group.leave() }
        group.wait()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o.value, as: UTF8.self), String(decoding: e.value, as: UTF8.self))
    }
}

/// A harness failure with a clear message: the tests fail with it, never skip.
public struct HarnessError: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}
