import IdemCore
import IdemUI

/// A terminal for tests (ratatui's TestBackend): keys typed into a queue, every painted grid kept, the clipboard
/// and themes recorded. The run loop paints through it exactly as through ncurses.
public final class TestTerminal: TerminalBackend {
    public let waker = Waker()
    public private(set) var size: (width: Int, height: Int)
    /// The last grid painted.
    public private(set) var painted: Grid?
    /// How many grids were painted.
    public private(set) var paints = 0
    /// Text put on the clipboard, oldest first.
    public private(set) var copied: [String] = []
    /// Themes the loop switched to, oldest first.
    public private(set) var themes: [Theme] = []
    private var queue: [TerminalInput] = []

    public init(width: Int = 80, height: Int = 24) { size = (width, height) }

    /// Queues input for the loop's next reads.
    public func enqueue(_ inputs: [TerminalInput]) { queue += inputs }

    /// Queues a resize, as ncurses reports one.
    public func resize(width: Int, height: Int) {
        size = (width, height)
        queue.append(.resize(width: width, height: height))
    }

    /// Inputs queued and not yet read.
    public var unread: Int { queue.count }

    /// The last painted screen as text, one line per row ("" before the first paint).
    public var screen: String { painted?.text ?? "" }

    public func read(timeoutMs: Int32) -> TerminalInput {
        if !queue.isEmpty { return queue.removeFirst() }
        if timeoutMs != 0 { waker.wait(timeoutMs: timeoutMs < 0 ? 50 : min(timeoutMs, 50)) }
        return .none
    }

    public func paint(_ grid: Grid) {
        painted = grid
        paints += 1
    }

    public func copy(_ text: String) { copied.append(text) }

    public func setTheme(_ theme: Theme) { themes.append(theme) }
}
