import Foundation
import IdemCore
import IdemStore
import Testing

/// The real binary in a real terminal (tmux): follow a journal live, filter, sort, open a detail, resize, quit, and
/// find the terminal restored. Build the binary first: `swift build --product idemtop`.
@Suite(.serialized) struct DashboardEndToEndTests {
    func prerequisites(sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        DashboardTmux.prerequisites(sourceLocation: sourceLocation)
    }

    /// A fresh journal path; removed again when the test ends (`defer remove(path)`).
    func journal(_ name: String) -> String {
        let path = NSTemporaryDirectory() + "idemtop-e2e-\(getpid())-\(name).jsonl"
        try? FileManager.default.removeItem(atPath: path)
        return path
    }

    func remove(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

    /// Writes one token through the real writer: executed, then completed.
    func write(_ writer: JournalWriter, tenant: String, token: String, operation: String = "POST /v1/charges",
               body: String = #"{"amount":1999,"card_number":"4242424242424242"}"#) throws {
        let request = StoredRequest(method: "POST", path: "/v1/charges",
                                    headers: ["Authorization": "Bearer sk_live_secret"], body: body)
        let result = try writer.begin(tenant: tenant, token: token, operation: operation,
                                      fingerprint: Fingerprint(String(repeating: "c3", count: 32)), request: request)
        if case .execute(let ticket, _) = result {
            try writer.complete(ticket, response: StoredResponse(status: 201, body: #"{"id":"ch_1"}"#))
        }
    }

    @Test func followFilterSortDetailResizeQuit() throws {
        guard prerequisites() else { return }
        let path = journal("live")
        defer { remove(path) }
        let writer = try JournalWriter(path: path, clock: SystemClock(), create: true)
        for i in 0..<3 { try write(writer, tenant: "acme", token: "first-\(i)") }

        let t = DashboardTmux()
        defer { t.stop() }
        t.startIdemtop(["ui", path])
        t.waitFor(text: "3 tokens")
        t.waitFor(text: "q quit")

        // Appended by another process (this test): it appears, in the table and the tail.
        try write(writer, tenant: "globex", token: "e2e-live-token")
        t.waitFor("the new token") { $0.contains("e2e-live-token") && $0.contains("4 tokens") }

        // Filter.
        t.send("/")
        t.type("e2e-live")
        t.send("Enter")
        var screen = t.waitFor(text: "1 of 4 tokens")
        #expect(!screen.contains("completed   acme"))

        // Sort: from the default (last seen) `s` moves on to the status column; `S` inverts.
        t.send("Escape")
        t.waitFor("the filter cleared") { !$0.contains("of 4 tokens") }
        t.send("s")
        t.waitFor(text: "STATUS▲")
        t.send("S")
        t.waitFor(text: "STATUS▼")

        // Detail: the request with its secrets masked, and the stored response.
        t.send("g")
        t.send("Enter")
        // The three tokens carry one payload: the findings and siblings come first, the request a page down.
        t.waitFor("the detail's siblings") { $0.contains("── Siblings (2)") }
        t.send("PageDown")
        screen = t.waitFor("the detail") { $0.contains("── Request") && $0.contains("Stored response") }
        #expect(screen.contains("Bearer ****"))
        #expect(!screen.contains("sk_live_secret"))
        t.send("Escape")
        t.waitFor(text: "q quit")

        // Resize: smaller, too small, and back.
        t.resize(width: 70, height: 20)
        t.waitFor("the 70-column layout") { screen in
            screen.split(separator: "\n", omittingEmptySubsequences: false).count <= 21 && screen.contains("STATUS")
                && screen.contains("q quit")
        }
        t.resize(width: 50, height: 10)
        t.waitFor(text: "now 50x10")
        t.resize(width: 120, height: 40)
        t.waitFor("the full layout again") { $0.contains("LAST SEEN") && $0.contains("4 tokens") }

        // Quit: the shell's line comes back and the dashboard is gone.
        t.send("q")
        screen = t.waitFor(text: "EXITED 0")
        #expect(!screen.contains("q quit"))
        #expect(!screen.contains("LAST SEEN"))
    }

    @Test func followsASQLiteStore() throws {
        guard prerequisites() else { return }
        let path = NSTemporaryDirectory() + "idemtop-e2e-\(getpid())-live.db"
        defer {
            for suffix in ["", "-wal", "-shm"] { remove(path + suffix) }
        }
        let writer = try SQLiteWriter(path: path, clock: SystemClock(), create: true)
        for i in 0..<2 {
            let r = try writer.begin(tenant: "acme", token: "sql-\(i)", operation: "POST /v1/refunds",
                                     fingerprint: Fingerprint(String(repeating: "d4", count: 32)), request: nil)
            if case .execute(let ticket, _) = r { try writer.complete(ticket, response: StoredResponse(status: 200)) }
        }
        let t = DashboardTmux()
        defer { t.stop() }
        t.startIdemtop(["ui", path])
        t.waitFor(text: "2 tokens")
        _ = try writer.begin(tenant: "globex", token: "sql-live-token", operation: "POST /v1/charges",
                             fingerprint: Fingerprint(String(repeating: "d4", count: 32)), request: nil)
        let screen = t.waitFor("the new SQLite row") { $0.contains("sql-live-token") && $0.contains("3 tokens") }
        #expect(screen.contains("(sqlite)"))
        t.send("q")
        t.waitFor(text: "EXITED 0")
    }

    @Test func coloursThemesAndNoColor() throws {
        guard prerequisites() else { return }
        let path = journal("colour")
        defer { remove(path) }
        let writer = try JournalWriter(path: path, clock: SystemClock(), create: true)
        try write(writer, tenant: "acme", token: "colour-1")

        // The default theme paints 256-colour escapes; `:theme` switches at once.
        let t = DashboardTmux()
        defer { t.stop() }
        t.startIdemtop(["ui", path])
        t.waitFor(text: "colour-1")
        #expect(t.captureEscapes().contains("38;5;"))
        t.send(":")
        t.type("theme high-contrast")
        t.send("Enter")
        t.waitFor("the high-contrast header (black on cyan)") { _ in t.captureEscapes().contains("38;5;16m\u{1b}[48;5;51m") }
        // A user theme from $XDG_CONFIG_HOME/idemtop/themes.
        let folder = t.home + "/config/idemtop/themes"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let roles = ["normal", "completed", "in_progress", "stuck", "expired", "failed", "purged", "executed", "replayed",
                     "mismatch", "conflict", "reexecuted", "admin", "selection", "header", "header_label",
                     "table_header", "status_bar", "border", "dim", "error", "notice", "sparkline", "filter", "key_hint"]
        try ("name = \"mine\"\n[roles]\n" + roles.map { "\($0) = 208 bold" }.joined(separator: "\n") + "\n")
            .write(toFile: folder + "/mine.theme", atomically: true, encoding: .utf8)
        t.send(":")
        t.type("theme mine")
        t.send("Enter")
        // (The command line itself shows "theme mine" while typing: wait for the colour instead.)
        t.waitFor("the user theme's colour 208") { _ in t.captureEscapes().contains("38;5;208") }
        t.send(":")
        t.type("theme no-such-theme")
        t.send("Enter")
        t.waitFor(text: "no such theme")
        t.send("q")
        t.waitFor(text: "EXITED 0")

        // NO_COLOR: attributes only, and every status still a word.
        let mono = DashboardTmux()
        defer { mono.stop() }
        mono.startIdemtop(["ui", path], noColor: true)
        mono.waitFor(text: "colour-1")
        let escapes = mono.captureEscapes()
        #expect(!escapes.contains("38;5;") && !escapes.contains("48;5;"), "NO_COLOR still painted colours")
        #expect(escapes.contains("\u{1b}[7m") || escapes.contains(";7m"), "the selection should be reverse video")
        #expect(mono.capture().contains("completed"))
        mono.send("q")
        mono.waitFor(text: "EXITED 0")
    }

    @Test func sigtermRestoresTheTerminal() throws {
        guard prerequisites() else { return }
        let path = journal("sigterm")
        defer { remove(path) }
        let writer = try JournalWriter(path: path, clock: SystemClock(), create: true)
        try write(writer, tenant: "acme", token: "t-1")
        let t = DashboardTmux()
        defer { t.stop() }
        t.startIdemtop(["ui", path])
        t.waitFor(text: "q quit")
        let shell = t.panePID ?? 0
        let children = (try? String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)) ?? ""
        let child = children.split(separator: " ").compactMap { Int32($0) }.first
        #expect(child != nil, "no dashboard process under the pane's shell \(shell)")
        if let child { kill(child, SIGTERM) }
        let screen = t.waitFor(text: "EXITED 143")
        #expect(!screen.contains("q quit"))
    }

    @Test func ctrlCQuitsAndRestores() throws {
        guard prerequisites() else { return }
        let path = journal("ctrlc")
        defer { remove(path) }
        _ = try JournalWriter(path: path, clock: SystemClock(), create: true)
        let t = DashboardTmux()
        defer { t.stop() }
        t.startIdemtop(["ui", path])
        t.waitFor(text: "no tokens yet")
        t.send("C-c")
        let screen = t.waitFor(text: "EXITED 0")
        #expect(!screen.contains("no tokens yet"))
    }

    /// The terminal goes away under the dashboard (the pty's other end closes, no SIGHUP): it stops at once
    /// instead of spinning on a dead input.
    @Test func stopsWhenItsTerminalGoesAway() throws {
        guard prerequisites() else { return }
        let path = journal("hangup")
        defer { remove(path) }
        _ = try JournalWriter(path: path, clock: SystemClock(), create: true)
        // posix_openpt and friends are not in Swift's Glibc module: /dev/ptmx and its two ioctls do the same.
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
        #expect(master >= 0)
        guard master >= 0 else { return }
        var unlock: Int32 = 0
        var number: UInt32 = 0
        let TIOCSPTLCK: UInt = 0x4004_5431, TIOCGPTN: UInt = 0x8004_5430
        guard ioctl(master, TIOCSPTLCK, &unlock) == 0, ioctl(master, TIOCGPTN, &number) == 0 else {
            Issue.record("cannot set up a pseudo-terminal")
            return
        }
        let slavePath = "/dev/pts/\(number)"
        var size = winsize(ws_row: 30, ws_col: 100, ws_xpixel: 0, ws_ypixel: 0)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in [0, 1, 2] {
            posix_spawn_file_actions_addopen(&actions, fd, slavePath, O_RDWR | O_NOCTTY, 0)
        }
        let slave = open(slavePath, O_RDWR | O_NOCTTY | O_CLOEXEC)
        _ = ioctl(slave, UInt(TIOCSWINSZ), &size)
        let words: [String] = [DashboardTmux.binary, "ui", path]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        var env = ProcessInfo.processInfo.environment
        env["TERM"] = "xterm-256color"
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        #expect(posix_spawn(&pid, DashboardTmux.binary, &actions, nil, argv, envp) == 0)
        close(slave)
        // Read the screen until the status bar is drawn.
        var seen = [UInt8]()
        let deadline = Date().addingTimeInterval(10)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while Date() < deadline, !String(decoding: seen, as: UTF8.self).contains("quit") {
            var fds = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            if poll(&fds, 1, 100) > 0 {
                let n = read(master, &buffer, buffer.count)
                if n > 0 { seen += buffer[0..<n] }
            }
        }
        #expect(String(decoding: seen, as: UTF8.self).contains("quit"), "the dashboard was never drawn")
        close(master)
        var status: Int32 = 0
        var exited = false
        let stopBy = Date().addingTimeInterval(5)
        while Date() < stopBy {
            if waitpid(pid, &status, WNOHANG) == pid { exited = true; break }
            usleep(20_000)
        }
        if !exited {
            kill(pid, SIGKILL)
            _ = waitpid(pid, &status, 0)
        }
        #expect(exited, "the dashboard kept running after its terminal went away")
    }

    @Test func refusesWithoutATerminal() throws {
        guard prerequisites() else { return }
        let path = journal("headless")
        defer { remove(path) }
        _ = try JournalWriter(path: path, clock: SystemClock(), create: true)
        // Pipes, not a terminal.
        let piped = DashboardTmux.run(DashboardTmux.binary, ["ui", path], env: ["TERM": "xterm-256color"])
        #expect(piped.status == 1)
        #expect(piped.stderr.contains("not a terminal") && piped.stderr.contains("idemtop list"), "\(piped.stderr)")
        #expect(piped.stdout.isEmpty)
        #expect(piped.stderr.split(separator: "\n").count == 1)

        // A terminal, but TERM unset, dumb, or unknown.
        let t = DashboardTmux()
        defer { t.stop() }
        let bin = shellQuote(DashboardTmux.binary)
        let p = shellQuote(path)
        t.start("sh -c " + shellQuote(
            "env -u TERM \(bin) ui \(p); echo A=$?; TERM=dumb \(bin) ui \(p); echo B=$?; "
                + "TERM=no-such-terminal \(bin) ui \(p); echo C=$?; sleep 60"))
        let screen = t.waitFor(text: "C=1")
        #expect(screen.contains("TERM is not set") && screen.contains("A=1"))
        #expect(screen.contains("TERM=dumb") && screen.contains("B=1"))
        #expect(screen.contains("unknown terminal type TERM=no-such-terminal"))
    }

    @Test func brokenThemeNamesFileLineAndKey() throws {
        guard prerequisites() else { return }
        let path = journal("theme")
        defer { remove(path) }
        _ = try JournalWriter(path: path, clock: SystemClock(), create: true)
        let theme = NSTemporaryDirectory() + "idemtop-e2e-\(getpid())-broken.theme"
        try "[palette]\nred = #ff0000\n[roles]\nstuck = redd bold\n".write(toFile: theme, atomically: true, encoding: .utf8)
        defer { remove(theme) }
        let r = DashboardTmux.run(DashboardTmux.binary, ["ui", path, "--theme", theme])
        #expect(r.status == 1)
        #expect(r.stderr.contains("\(theme):4: 'stuck': unknown colour 'redd'"), "\(r.stderr)")
    }
}
