import Foundation

/// What reading the terminal gave.
public enum TerminalInput: Sendable, Hashable {
    case key(Key)
    case mouse(MouseEvent)
    case resize(width: Int, height: Int)
    /// Nothing arrived before the timeout (or the wait was woken).
    case none
    /// Input is gone (end of file, hang-up): a reason to stop.
    case closed
}

/// The screen the run loop paints through: the ncurses terminal in the binary, a test terminal in tests.
///
/// Every call comes from the loop's thread, but `waker`, which other threads use to end a `read` early.
public protocol TerminalBackend: AnyObject {
    /// The screen size in columns and rows.
    var size: (width: Int, height: Int) { get }
    /// Waits up to `timeoutMs` (0: do not wait) for a key, a click or a resize; returns `.none` early when
    /// `waker` is woken.
    func read(timeoutMs: Int32) -> TerminalInput
    /// Wakes a `read` that is waiting, from any thread: how store events and effect results reach a waiting loop.
    var waker: Waker { get }
    /// Paints a grid (only what changed since the last paint).
    func paint(_ grid: Grid)
    /// Puts text on the clipboard.
    func copy(_ text: String)
    /// Uses another theme from the next paint on.
    func setTheme(_ theme: Theme)
    /// Ctrl-Z: restores the terminal, stops the process (SIGSTOP) and, once continued (`fg`), takes the screen
    /// back; the next paint redraws everything.
    func suspend()
}

extension TerminalBackend {
    /// A terminal that cannot be suspended (a test terminal) does nothing.
    public func suspend() {}
}

/// A wake-up another thread can send to a thread waiting in `poll(2)`: a non-blocking pipe whose read end the
/// waiter polls beside its own descriptors (the terminal's standard input).
public final class Waker: Sendable {
    /// The descriptor to poll for `POLLIN`.
    public let readFD: Int32
    private let writeFD: Int32

    public init() {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
        }
        readFD = fds[0]
        writeFD = fds[1]
    }

    deinit {
        close(readFD)
        close(writeFD)
    }

    /// Makes the next (or the current) wait return; safe from any thread, never blocks (a full pipe is awake
    /// already).
    public func wake() {
        var byte: UInt8 = 1
        _ = write(writeFD, &byte, 1)
    }

    /// Empties the pipe: the wake-ups so far are seen.
    public func drain() {
        var buffer = [UInt8](repeating: 0, count: 256)
        while read(readFD, &buffer, buffer.count) > 0 {}
    }

    /// Waits up to `timeoutMs` for a wake-up (a negative timeout waits for ever); true when woken. Drains the pipe.
    @discardableResult
    public func wait(timeoutMs: Int32) -> Bool {
        var fds = pollfd(fd: readFD, events: Int16(POLLIN), revents: 0)
        let woken = poll(&fds, 1, timeoutMs) > 0
        if woken { drain() }
        return woken
    }
}

extension Waker {
    /// Waits up to `timeoutMs` until any of `wakers` is woken; drains those that were.
    @discardableResult
    public static func wait(any wakers: [Waker], timeoutMs: Int32) -> Bool {
        var fds = wakers.map { pollfd(fd: $0.readFD, events: Int16(POLLIN), revents: 0) }
        guard poll(&fds, nfds_t(fds.count), timeoutMs) > 0 else { return false }
        for (i, w) in wakers.enumerated() where fds[i].revents != 0 { w.drain() }
        return true
    }
}
