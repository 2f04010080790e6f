/// A key the terminal read, decoded into what the dashboard cares about.
public enum Key: Sendable, Hashable {
    case char(Character)
    /// Ctrl with a letter, lowercase: `.ctrl("c")`.
    case ctrl(Character)
    case up, down, left, right
    case pageUp, pageDown, home, end
    case enter, escape, tab, backTab, backspace, delete
    /// A function key (F1 is 1).
    case function(Int)
}

/// What a mouse did, when mouse reporting is on (`--mouse`).
public enum MouseAction: Sendable, Hashable {
    case click
    case wheelUp
    case wheelDown
}

/// A mouse event at a screen cell.
public struct MouseEvent: Sendable, Hashable {
    public var action: MouseAction
    public var x: Int
    public var y: Int
    public init(_ action: MouseAction, x: Int, y: Int) {
        self.action = action
        self.x = x
        self.y = y
    }
}
