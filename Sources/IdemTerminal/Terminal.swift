import CNcurses
import Foundation
import IdemUI

/// Why the terminal could not be opened.
public struct TerminalError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// The only owner of ncurses: opens the screen, paints grids, reads keys, restores the terminal.
///
/// Not thread-safe by design: one thread (the run loop's) makes every ncurses call through this object; other
/// threads only wake it through `waker`.
public final class Terminal: TerminalBackend {
    private var screen: OpaquePointer?
    private var window: UnsafeMutablePointer<WINDOW>?
    private var painted: Grid?
    private var theme: Theme
    private var styleTable: [Role: (attr_t, Int16)] = [:]
    private var mouse = false
    public private(set) var isOpen = false
    public let waker = Waker()

    public init(theme: Theme) { self.theme = theme }

    deinit { close() }

    /// Checks the environment and opens the screen; the error is one line for stderr.
    public func open(mouse: Bool) throws(TerminalError) {
        let env = ProcessInfo.processInfo.environment
        if let problem = TerminalCheck.problem(stdinIsTTY: isatty(0) == 1, stdoutIsTTY: isatty(1) == 1, term: env["TERM"]) {
            throw TerminalError(message: problem)
        }
        if setlocale(LC_ALL, "") == nil || !Terminal.localeIsUTF8 { _ = setlocale(LC_CTYPE, "C.UTF-8") }
        let term = env["TERM"] ?? ""
        guard let s = newterm(term, idem_stdout(), idem_stdin()) else {
            throw TerminalError(message: TerminalCheck.unknownTerminal(term))
        }
        screen = s
        _ = set_term(s)
        // Swift cannot read the `stdscr` global: the shim hands it over.
        window = idem_stdscr()
        guard let w = window else {
            endwin()
            throw TerminalError(message: "idemtop: could not create the screen window")
        }
        isOpen = true
        raw()
        noecho()
        nonl()
        keypad(w, true)
        _ = curs_set(0)
        set_escdelay(25)
        if has_colors() {
            start_color()
            use_default_colors()
        }
        if mouse {
            self.mouse = true
            _ = mousemask(idem_mouse_mask(), nil)
            mouseinterval(0)
        }
        applyTheme()
    }

    static var localeIsUTF8: Bool {
        guard let c = setlocale(LC_CTYPE, nil) else { return false }
        let name = String(cString: c).lowercased()
        return name.contains("utf-8") || name.contains("utf8")
    }

    /// The screen size in columns and rows.
    public var size: (width: Int, height: Int) {
        guard let w = window else { return (0, 0) }
        return (Int(getmaxx(w)), Int(getmaxy(w)))
    }

    /// Uses another theme from the next paint on.
    public func setTheme(_ t: Theme) {
        theme = t
        applyTheme()
        painted = nil
    }

    private func applyTheme() {
        styleTable = [:]
        guard isOpen else { return }
        let colors = Int(idem_colors())
        let useColor = has_colors() && !theme.monochrome && colors >= 8
        var pairs: [[Int16]: Int16] = [:]
        for role in Role.allCases {
            let st = theme[role]
            var attrs = idem_a_normal()
            if st.attributes.contains(.bold) { attrs |= idem_a_bold() }
            if st.attributes.contains(.underline) { attrs |= idem_a_underline() }
            if st.attributes.contains(.reverse) { attrs |= idem_a_reverse() }
            if st.attributes.contains(.dim) { attrs |= idem_a_dim() }
            var pair: Int16 = 0
            if useColor {
                let key = [ColorMapper.number(st.fg, colors: colors), ColorMapper.number(st.bg, colors: colors)]
                if key != [-1, -1] {
                    if let p = pairs[key] {
                        pair = p
                    } else if pairs.count + 1 < Int(idem_color_pairs()) {
                        pair = Int16(pairs.count + 1)
                        init_pair(pair, key[0], key[1])
                        pairs[key] = pair
                    }
                }
            }
            styleTable[role] = (attrs, pair)
        }
    }

    /// Paints a grid, sending only the cells that changed since the last paint.
    public func paint(_ grid: Grid) {
        guard let w = window else { return }
        let full = painted.map { $0.width != grid.width || $0.height != grid.height } ?? true
        if full {
            werase(w)
            painted = nil
        }
        for y in 0..<grid.height {
            var x = 0
            while x < grid.width {
                if let old = painted, old[x, y] == grid[x, y] {
                    x += 1
                    continue
                }
                // A run of changed cells with one role, started on a whole grapheme.
                var start = x
                while start > 0, grid[start, y].isContinuation { start -= 1 }
                let role = grid[start, y].role
                var text = ""
                var end = start
                while end < grid.width, grid[end, y].role == role {
                    if let old = painted, old[end, y] == grid[end, y], !grid[end, y].isContinuation { break }
                    text += grid[end, y].text
                    end += 1
                }
                if end == start {
                    text = grid[start, y].text
                    end = start + 1
                }
                let (attrs, pair) = styleTable[role] ?? (idem_a_normal(), 0)
                _ = idem_set_style(w, attrs, pair)
                _ = mvwaddstr(w, Int32(y), Int32(start), text)
                x = max(end, x + 1)
            }
        }
        painted = grid
        wrefresh(w)
    }

    /// Forgets what is on screen so the next paint redraws everything (after a resize).
    public func invalidate() {
        painted = nil
        if let w = window { clearok(w, true) }
    }

    /// Waits up to `timeoutMs` (0: do not wait) for a key, a click or a resize; `waker` ends the wait early.
    ///
    /// What ncurses has buffered comes first; then it waits in `poll(2)` on standard input and the waker, so a
    /// store event or a worker's answer wakes the loop at once instead of at the next timeout. A resize
    /// (SIGWINCH) interrupts the poll and comes back as `KEY_RESIZE`.
    public func read(timeoutMs: Int32) -> TerminalInput {
        guard let w = window else { return .closed }
        if let input = readBuffered(w) { return input }
        guard timeoutMs != 0 else { return .none }
        var fds = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: waker.readFD, events: Int16(POLLIN), revents: 0)]
        let ready = poll(&fds, 2, timeoutMs)
        if fds[1].revents != 0 { waker.drain() }
        if ready < 0 { return readBuffered(w) ?? .none }
        let input = fds[0].revents
        if input & Int16(POLLIN) != 0 {
            if let got = readBuffered(w) { return got }
            // Readable but nothing came: end of file, the input is gone.
            return Terminal.inputHungUp() ? .closed : .none
        }
        if input & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { return .closed }
        return .none
    }

    /// A key, click or resize ncurses has or can read now without waiting; nil when there is none.
    private func readBuffered(_ w: UnsafeMutablePointer<WINDOW>) -> TerminalInput? {
        wtimeout(w, 0)
        var ch: wint_t = 0
        let r = wget_wch(w, &ch)
        if r == ERR { return nil }
        if r == KEY_CODE_YES {
            let input = functionKey(Int32(ch))
            return input == .none ? nil : input
        }
        return .key(KeyDecoder.character(UInt32(ch)))
    }

    /// Whether standard input has hung up or failed (asked only after get_wch kept failing at once).
    static func inputHungUp() -> Bool {
        var fds = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
        guard poll(&fds, 1, 0) >= 0 else { return true }
        if fds.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { return true }
        // Readable but nothing to read: end of file.
        if fds.revents & Int16(POLLIN) != 0 {
            var available: Int32 = 0
            if ioctl(0, UInt(FIONREAD), &available) == 0, available == 0 { return true }
        }
        return false
    }

    private func functionKey(_ code: Int32) -> TerminalInput {
        switch code {
        case KEY_RESIZE:
            invalidate()
            let s = size
            return .resize(width: s.width, height: s.height)
        case KEY_MOUSE:
            var ev = MEVENT()
            guard getmouse(&ev) == OK else { return .none }
            let b = ev.bstate
            if idem_mouse_is_wheel_up(b) != 0 { return .mouse(MouseEvent(.wheelUp, x: Int(ev.x), y: Int(ev.y))) }
            if idem_mouse_is_wheel_down(b) != 0 { return .mouse(MouseEvent(.wheelDown, x: Int(ev.x), y: Int(ev.y))) }
            if idem_mouse_is_click(b) != 0 { return .mouse(MouseEvent(.click, x: Int(ev.x), y: Int(ev.y))) }
            return .none
        default:
            return KeyDecoder.function(code).map { .key($0) } ?? .none
        }
    }

    /// Puts text on the system clipboard with OSC 52 (the terminal, or tmux, does the rest).
    public func copy(_ text: String) {
        let seq = "\u{1b}]52;c;" + Data(text.utf8).base64EncodedString() + "\u{07}"
        fflush(nil)
        _ = seq.withCString { write(1, $0, strlen($0)) }
    }

    /// Ctrl-Z as any curses program does it: the terminal restored (`endwin`), the process stopped with SIGSTOP
    /// (the shell's job control sees it stop), and on SIGCONT the screen taken back and repainted in full.
    public func suspend() {
        guard isOpen, let w = window else { return }
        if mouse { _ = mousemask(0, nil) }
        _ = curs_set(1)
        endwin()
        fflush(nil)
        raise(SIGSTOP)
        // Continued: raw mode and the keypad come back with the refresh.
        if mouse { _ = mousemask(idem_mouse_mask(), nil) }
        _ = curs_set(0)
        painted = nil
        clearok(w, true)
        wrefresh(w)
    }

    /// Restores the terminal: mouse off, cursor back, screen as it was. Safe to call twice.
    public func close() {
        guard isOpen else { return }
        isOpen = false
        if mouse { _ = mousemask(0, nil) }
        _ = curs_set(1)
        window = nil
        endwin()
        if let s = screen { delscreen(s) }
        screen = nil
        fflush(nil)
    }
}
