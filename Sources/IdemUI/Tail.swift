import IdemCore

/// The live tail: the newest events in a bounded ring; following by default, frozen while paused.
public struct Tail: Sendable, Hashable {
    public static let capacity = 1000
    public private(set) var events: [StoreEvent] = []
    /// Every event ever added (the ring forgets the oldest).
    public private(set) var total = 0
    /// `total` when the tail was paused; nil while following.
    public private(set) var pausedAt: Int?
    /// How many lines up from the newest the view is scrolled (while paused).
    public var scroll = 0
    /// The cursor while the tail has focus: lines up from the bottom line of the view.
    public var cursor = 0

    public init() {}

    public var isPaused: Bool { pausedAt != nil }
    /// Events that arrived since the pause.
    public var newSincePause: Int { pausedAt.map { total - $0 } ?? 0 }

    public mutating func add(_ e: StoreEvent) {
        var lean = e
        lean.request = nil
        lean.response = nil
        events.append(lean)
        total += 1
        if events.count > Tail.capacity + Tail.capacity / 4 { events.removeFirst(events.count - Tail.capacity) }
    }

    /// Requests, failures and admin events go to the tail; completions show in the table. A failure is shown because
    /// it explains the next execution of the same token, which would otherwise look like a double execution.
    public static func shows(_ e: StoreEvent) -> Bool { e.kind != .completed }

    public mutating func pause() { if pausedAt == nil { pausedAt = total } }

    public mutating func resume() {
        pausedAt = nil
        scroll = 0
        cursor = 0
    }

    /// The events to show in `rows` lines, oldest first: the newest while following, the frozen view while paused.
    public func visible(rows: Int) -> ArraySlice<StoreEvent> {
        guard rows > 0 else { return [] }
        let newest = events.count - newSincePause - scroll
        let end = max(0, min(events.count, newest))
        return events[max(0, end - rows)..<end]
    }

    /// The events to show in `rows` lines, oldest first, of those `keep` takes: `scroll` counts kept lines only.
    public func visible(rows: Int, where keep: (StoreEvent) -> Bool) -> [StoreEvent] {
        guard rows > 0 else { return [] }
        var out: [StoreEvent] = []
        var skip = scroll
        var i = events.count - newSincePause - 1
        while i >= 0, out.count < rows {
            if keep(events[i]) {
                if skip > 0 { skip -= 1 } else { out.append(events[i]) }
            }
            i -= 1
        }
        return out.reversed()
    }

    /// Scrolls up (positive) or down; scrolling up pauses, scrolling back to the bottom stays paused until resumed.
    public mutating func scroll(by delta: Int) {
        if delta > 0 { pause() }
        guard isPaused else { return }
        let maxScroll = max(0, events.count - newSincePause - 1)
        scroll = max(0, min(maxScroll, scroll + delta))
    }
}
