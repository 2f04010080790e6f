import IdemCore

/// What a replay would send, as the run loop planned it for `Effect.prepareReplay`: the lines the confirmation shows.
public struct ReplayPreview: Sendable, Hashable {
    public var key: TokenKey
    public var method: String
    /// The target and the stored path.
    public var url: String
    /// The header the original token travels in, e.g. `Idempotency-Key`.
    public var idempotencyHeader: String
    /// Stored headers held back as secret (not sent).
    public var notSent: [String]

    public init(key: TokenKey, method: String, url: String, idempotencyHeader: String, notSent: [String]) {
        self.key = key
        self.method = method
        self.url = url
        self.idempotencyHeader = idempotencyHeader
        self.notSent = notSent
    }
}

/// The replay confirmation: the request as it would go out, what the service will most likely do, and which button
/// has the focus (Cancel first).
public struct ReplayDialog: Sendable, Hashable {
    public var preview: ReplayPreview
    /// The status shown when the plan came in; nil when the ledger holds no record of the token.
    public var status: TokenStatus?
    public var expectation: ReplayExpectation
    /// False: Cancel has the focus (the default). True: Replay has it.
    public var replayFocused = false

    public var key: TokenKey { preview.key }

    /// The dialog's lines with their roles; the prediction is in the `error` role when the work would run again.
    func boxLines() -> [(String, Role)] {
        let p = preview
        let lines: [(String, Role)] = [
            ("Replay this request?", .header),
            ("", .normal),
            ("method     \(p.method)", .normal),
            ("url        \(p.url)", .normal),
            ("header     \(p.idempotencyHeader): \(p.key.token)", .normal),
            ("not sent   \(p.notSent.isEmpty ? "nothing held back" : p.notSent.joined(separator: ", ") + " (secret)")",
             p.notSent.isEmpty ? .dim : .normal),
            ("status     \(status?.rawValue ?? "no record")", status.map(Role.init) ?? .dim),
            ("", .normal),
            ("What will happen: \(expectation.sentence).", expectation.executes ? .error : .notice),
        ]
        let buttons = replayFocused ? "   Cancel    [ Replay ]" : " [ Cancel ]    Replay  "
        return lines + [("", .normal), (buttons, .keyHint)]
    }
}

extension AppState {
    /// `r`: asks the run loop for the plan of the selected or open token's replay; the dialog opens when it comes.
    mutating func replaySelected() -> [Effect] {
        if refusedAsReadOnly() { return [] }
        guard let key = mode == .detail ? detail?.key : selectedKey else {
            notice = Notice(text: "no token selected", isError: true, at: now)
            return []
        }
        guard !replayInFlight(key) else { return [] }
        replayPreparing = key
        return [.prepareReplay(key)]
    }

    /// The plan came: the confirmation opens on Cancel, with the prediction from the token's status now.
    mutating func replayPrepared(_ preview: ReplayPreview) -> [Effect] {
        guard replayPreparing == preview.key else { return [] }
        replayPreparing = nil
        let status = ledger.record(preview.key)?.status(at: now)
        replayDialog = ReplayDialog(preview: preview, status: status, expectation: ReplayExpectation(status: status))
        return []
    }

    /// Keys while the replay dialog is up: Tab/arrows move the focus, Enter presses the focused button, Esc cancels.
    /// Only Enter on Replay sends.
    mutating func handleReplayDialog(_ key: Key) -> [Effect] {
        guard var d = replayDialog else { return [] }
        switch key {
        case .tab, .backTab, .left, .right, .char("h"), .char("l"):
            d.replayFocused.toggle()
            replayDialog = d
        case .escape, .char("q"), .char("n"):
            replayDialog = nil
            notice = Notice(text: "replay cancelled: nothing was sent", isError: false, at: now)
        case .enter:
            replayDialog = nil
            guard d.replayFocused else {
                notice = Notice(text: "replay cancelled: nothing was sent", isError: false, at: now)
                return []
            }
            guard !replayInFlight(d.key) else { return [] }
            notice = Notice(text: "replaying \(Sanitizer.visible(d.key.description))...", isError: false, at: now)
            return [.replay(d.key)]
        default:
            break
        }
        return []
    }

    /// True, with a notice, when a replay of `key` was sent and not yet answered: one at a time per token.
    mutating func replayInFlight(_ key: TokenKey) -> Bool {
        guard replaysInFlight.contains(key) else { return false }
        notice = Notice(text: "a replay of \(Sanitizer.visible(key.description)) is already in flight", isError: true,
                        at: now)
        return true
    }

    /// True, with the one line saying where read-only came from, when the dashboard is read-only: `d`, `D` and `r`
    /// refuse at once, before any dialog.
    mutating func refusedAsReadOnly() -> Bool {
        guard let source = readOnlySource else { return false }
        notice = Notice(text: "read-only (\(source)): purge and replay are refused", isError: true, at: now)
        return true
    }
}
