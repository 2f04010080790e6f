import IdemCore

/// The replay panel: a replay in flight, then its answer beside the stored response, or why it did not happen.
public struct ReplayPanel: Sendable, Hashable {
    public var key: TokenKey
    public var lines: [String]
    public var failed: Bool
    /// Where the request went; nil when the replay failed before it was sent.
    public var target: String?
    /// When the request was sent, while its answer is awaited; nil once the answer is in.
    public var sentAt: Instant?

    public init(key: TokenKey, lines: [String], failed: Bool, target: String? = nil, sentAt: Instant? = nil) {
        self.key = key
        self.lines = lines
        self.failed = failed
        self.target = target
        self.sentAt = sentAt
    }

    /// True while the answer is awaited: the panel then lets keys through to the screen below.
    public var inFlight: Bool { sentAt != nil }

    /// The line shown while in flight, with the whole seconds waited so far.
    public func waitingLine(now: Instant) -> String {
        let seconds = max(0, (now.ms - (sentAt?.ms ?? now.ms)) / 1000)
        return "replaying \(key.description) to \(target ?? "?")… (\(seconds)s)"
    }

    /// The panel's lines with their roles, as the box draws them.
    func boxLines(now: Instant) -> [(String, Role)] {
        if inFlight {
            return [("Replay", .header), ("", .normal), (waitingLine(now: now), .notice), ("", .normal),
                    ("Esc close (the replay goes on; its answer shows as a notice)", .keyHint)]
        }
        let title = failed ? "Replay failed" : "Replay"
        return [(title, failed ? Role.error : .header), ("", .normal)]
            + lines.map { ($0, $0.hasPrefix("- ") ? Role.mismatch : $0.hasPrefix("+ ") ? Role.executed : .normal) }
            + [("", .normal), ("Esc close", .keyHint)]
    }
}

extension AppState {
    /// The request went out: the panel shows it in flight, and the screen below keeps taking keys.
    mutating func replayStarted(_ key: TokenKey, target: String, at: Instant) -> [Effect] {
        replaysInFlight.insert(key)
        replayPanel = ReplayPanel(key: key, lines: [], failed: false, target: target, sentAt: at)
        notice = nil
        return []
    }

    /// The answer came (or the replay failed): it fills the panel waiting for it, or else shows as a notice.
    ///
    /// A replay that failed before it was sent (no target, no request) opens the panel when none is up.
    mutating func replayFinished(_ key: TokenKey, lines: [String], failed: Bool) -> [Effect] {
        let wasInFlight = replaysInFlight.remove(key) != nil
        if replayPreparing == key { replayPreparing = nil }
        if replayPanel?.key == key || (replayPanel == nil && !wasInFlight) {
            replayPanel = ReplayPanel(key: key, lines: lines, failed: failed)
            notice = nil
            return []
        }
        let head = lines.first ?? "replay of \(key.description) finished"
        if failed {
            notice = Notice(text: "replay of \(Sanitizer.visible(key.description)) failed: \(head)", isError: true,
                            at: now)
        } else {
            let recorded = lines.last { $0.hasPrefix("recorded: ") }
            notice = Notice(text: ([head] + (recorded.map { [$0] } ?? [])).joined(separator: "; "), isError: false,
                            at: now)
        }
        return []
    }

    /// Keys while the replay panel is up: Esc, q (and Enter, once answered) close it. While the replay is in flight
    /// other keys go on to the screen below (nil); once answered the panel keeps them.
    mutating func handleReplayPanel(_ key: Key) -> [Effect]? {
        guard let panel = replayPanel else { return nil }
        switch key {
        case .escape, .char("q"):
            replayPanel = nil
            return []
        case .enter where !panel.inFlight:
            replayPanel = nil
            return []
        default:
            return panel.inFlight ? nil : []
        }
    }
}
