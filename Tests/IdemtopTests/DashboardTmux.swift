import Foundation
import IdemCore
import Testing

/// A private tmux server running one command in a detached session, for end-to-end tests of the dashboard.
///
/// Each session uses its own socket (`tmux -L idemtop-test-PID-N`) and is killed by `stop()`; nothing touches the
/// user's tmux. Waiting is by polling the pane with a deadline, never fixed sleeps.
final class DashboardTmux {
    static let counter = Counter()
    let socket: String
    let home: String

    init() {
        socket = "idemtop-test-\(getpid())-\(DashboardTmux.counter.next())"
        home = NSTemporaryDirectory() + socket
        try? FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
    }

    /// The tmux binary, or nil (the tests then fail saying so; they never skip silently).
    static func tmuxPath() -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let p = "\(dir)/tmux"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    /// Checks that tmux and the built binary are there, failing (not skipping) with a clear message when one is
    /// missing.
    static func prerequisites(sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        guard tmuxPath() != nil else {
            Issue.record("tmux is not installed: the end-to-end dashboard tests need it (apt-get install tmux)",
                         sourceLocation: sourceLocation)
            return false
        }
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            Issue.record("no binary at \(binary): run `swift build --product idemtop` first", sourceLocation: sourceLocation)
            return false
        }
        return true
    }

    /// The debug binary next to this checkout (`swift build --product idemtop` makes it).
    static var binary: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.build/debug/idemtop")
            .standardized.path
    }

    /// Runs tmux with arguments and returns its standard output.
    @discardableResult
    func tmux(_ args: [String]) -> String {
        guard let path = DashboardTmux.tmuxPath() else { return "" }
        return DashboardTmux.run(path, ["-L", socket] + args, env: ["TERM": "xterm-256color"]).stdout
    }

    /// Starts `command` (a shell line) in a new session of the given size, with TERM=xterm-256color.
    ///
    /// The server this starts outlives the call: its output goes to /dev/null, not to a pipe nobody would close.
    func start(_ command: String, width: Int = 120, height: Int = 40, noColor: Bool = false) {
        guard let path = DashboardTmux.tmuxPath() else { return }
        _ = DashboardTmux.run(path, ["-L", socket, "-f", "/dev/null", "new-session", "-d", "-x", "\(width)",
                                     "-y", "\(height)", "-e", "TERM=xterm-256color", "-e", "HOME=\(home)",
                                     "-e", "XDG_CONFIG_HOME=\(home)/config", "-e", "LANG=C.UTF-8",
                                     "-e", "NO_COLOR=\(noColor ? "1" : "")", command],
                              env: ["TERM": "xterm-256color"], capture: false)
    }

    /// Starts the built `idemtop` with `args` (each quoted), then `echo EXITED <status>` and a pause, so a test can
    /// wait for the exit status on the pane.
    func startIdemtop(_ args: [String], width: Int = 120, height: Int = 40, noColor: Bool = false) {
        let line = ([DashboardTmux.binary] + args).map(shellQuote).joined(separator: " ")
        start("sh -c " + shellQuote("\(line); echo EXITED $?; sleep 60"), width: width, height: height, noColor: noColor)
    }

    /// The pane with its colour and attribute escapes.
    func captureEscapes() -> String { tmux(["capture-pane", "-p", "-e", "-t", "0"]) }

    func capture() -> String { tmux(["capture-pane", "-p", "-t", "0"]) }

    func send(_ keys: String...) { tmux(["send-keys", "-t", "0"] + keys) }

    /// Types text literally (no key-name lookup).
    func type(_ text: String) { tmux(["send-keys", "-t", "0", "-l", text]) }

    func resize(width: Int, height: Int) {
        tmux(["resize-window", "-t", "0", "-x", "\(width)", "-y", "\(height)"])
    }

    /// The pid of the pane's shell.
    var panePID: Int32? {
        Int32(tmux(["display-message", "-p", "-t", "0", "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Polls the pane until `condition` holds on a settled screen or `seconds` pass; returns that capture, and
    /// records an issue with the last capture when the deadline passes.
    ///
    /// Settled means a second capture 40 ms later is the same, or the condition has held for half a second. tmux
    /// applies a large frame in pieces, so one capture can hold the new title above the old rows (CI once saw the
    /// findings title over the token table), and a test that reads other lines of that capture would fail for
    /// nothing.
    @discardableResult
    func waitFor(_ what: String, seconds: Double = 10, sourceLocation: SourceLocation = #_sourceLocation,
                 _ condition: (String) -> Bool) -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var screen = capture()
        var heldSince: Date?
        while true {
            if condition(screen) {
                // A screen that never stops moving (a live tail) is taken once the condition has held for 0.5 s.
                let since = heldSince ?? Date()
                heldSince = since
                usleep(40_000)
                let again = capture()
                // Text that is gone 40 ms later (a flash message) was seen: that capture is the answer.
                if again == screen || !condition(again) { return screen }
                if Date() > deadline || Date().timeIntervalSince(since) > 0.5 { return again }
                screen = again
                continue
            }
            heldSince = nil
            if Date() > deadline {
                Issue.record("timed out waiting for \(what); the screen was:\n\(screen)", sourceLocation: sourceLocation)
                return screen
            }
            usleep(50_000)
            screen = capture()
        }
    }

    @discardableResult
    func waitFor(text: String, seconds: Double = 10, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        waitFor("'\(text)'", seconds: seconds, sourceLocation: sourceLocation) { $0.contains(text) }
    }

    func stop() {
        tmux(["kill-server"])
        try? FileManager.default.removeItem(atPath: home)
    }

    /// Runs a program to completion with `posix_spawn` and `waitpid`, its output in temporary files (no pipes a
    /// daemon could hold open, no run loop to depend on).
    static func run(_ path: String, _ args: [String], env: [String: String] = [:], capture: Bool = true)
        -> (status: Int32, stdout: String, stderr: String) {
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in env { environment[k] = v }
        let base = NSTemporaryDirectory() + "idemtop-run-\(getpid())-\(counter.next())"
        let outPath = capture ? base + ".out" : "/dev/null"
        let errPath = capture ? base + ".err" : "/dev/null"
        defer {
            if capture {
                try? FileManager.default.removeItem(atPath: outPath)
                try? FileManager.default.removeItem(atPath: errPath)
            }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = ([path] + args).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        guard posix_spawn(&pid, path, &actions, nil, argv, envp) == 0 else { return (-1, "", "cannot run \(path)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1, errno == EINTR {}
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        guard capture else { return (code, "", "") }
        let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        return (code, out, err)
    }

    final class Counter: Sendable {
        private let n = Locked(0)
        func next() -> Int { n.withLock { $0 += 1; return $0 } }
    }
}

/// Quotes a string for `sh`.
func shellQuote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
