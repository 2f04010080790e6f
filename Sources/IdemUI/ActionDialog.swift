import IdemCore

/// The purge confirmation: the token as the operator sees it when it opens (what the purge compares against), the
/// reason being typed, and which button has the focus (Cancel first).
public struct PurgeDialog: Sendable, Hashable {
    public var target: PurgeTarget
    public var key: TokenKey { target.key }
    public var operation: String { target.operation }
    public var status: TokenStatus { target.expect.status }
    public var version: Int { target.expect.version }
    public var age: TimeSpan { target.age }
    public var hits: Int { target.hits }
    public var wording: PurgeWording { target.wording }
    /// Why, for the admin event: prefilled, edited by typing (e.g. a ticket id).
    public var reason = PurgeDialog.defaultReason
    /// False: Cancel has the focus (the default). True: Purge has it.
    public var purgeFocused = false

    public static let defaultReason = "purged from the dashboard"
}

/// What the run loop is asked to purge: the token as the operator saw it, and why.
public struct PurgeOrder: Sendable, Hashable {
    public var target: PurgeTarget
    public var reason: String
    public var key: TokenKey { target.key }
    public var status: TokenStatus { target.expect.status }
    public var version: Int { target.expect.version }
    public var stored: StoredStatus { target.expect.storedStatus }
    public var expiresAt: Instant { target.expect.expiresAt }

    public init(target: PurgeTarget, reason: String) {
        self.target = target
        self.reason = reason
    }
}

extension AppState {
    /// Opens the purge dialog on the selected token (main screen) or the open one (detail).
    mutating func openPurgeDialog() -> [Effect] {
        if refusedAsReadOnly() { return [] }
        let key = mode == .detail ? detail?.key : selectedKey
        guard let key, let r = ledger.record(key) else {
            notice = Notice(text: "no token selected", isError: true, at: now)
            return []
        }
        let status = r.status(at: now)
        guard status != .purged else {
            notice = Notice(text: "\(Sanitizer.visible(key.description)) is already purged", isError: true, at: now)
            return []
        }
        purgeDialog = PurgeDialog(target: purgeTarget(r))
        return []
    }

    /// The purge of `r` as the operator sees it now, worded as its store's purge acts on it (`purgeWordings`).
    func purgeTarget(_ r: TokenRecord) -> PurgeTarget {
        var t = PurgeTarget(record: r, in: ledger, at: now)
        if let w = purgeWordings[r.store]?[t.expect.status] { t.wording = w }
        return t
    }

    /// Keys while the purge dialog is up: Tab/arrows move the focus, Enter presses the focused button, Esc cancels;
    /// typed text edits the reason (Backspace deletes, Ctrl-U clears).
    mutating func handleDialog(_ key: Key) -> [Effect] {
        guard var d = purgeDialog else { return [] }
        switch key {
        case .tab, .backTab, .left, .right:
            d.purgeFocused.toggle()
        case .escape:
            purgeDialog = nil
            notice = Notice(text: "purge cancelled", isError: false, at: now)
            return []
        case .backspace, .delete:
            if !d.reason.isEmpty { d.reason.removeLast() }
        case .ctrl("u"):
            d.reason = ""
        case .char(let c):
            d.reason.append(c)
        case .enter:
            guard d.purgeFocused else {
                purgeDialog = nil
                notice = Notice(text: "purge cancelled", isError: false, at: now)
                return []
            }
            let reason = d.reason
            guard reason.contains(where: { $0 != " " }) else {
                notice = Notice(text: "type a reason for the purge (it is recorded), or Esc", isError: true, at: now)
                return []
            }
            purgeDialog = nil
            return [.purge(PurgeOrder(target: d.target, reason: reason))]
        default:
            break
        }
        purgeDialog = d
        return []
    }
}

/// Draws the purge dialog or the replay panel over the screen.
enum ActionDialogView {
    static func render(_ state: AppState, into grid: inout Grid) {
        if let d = state.purgeDialog {
            // With several stores open, which one the purge goes to.
            let store = state.ledger.isMultiStore && Int(d.key.store) < state.ledger.storeNames.count
                ? [("store      \(Sanitizer.visible(state.ledger.storeNames[Int(d.key.store)]))", Role.normal)] : []
            let lines: [(String, Role)] = [
                ("\(d.wording.action) this token?", .header),
                ("", .normal),
            ] + store + [
                ("token      \(Sanitizer.visible(d.key.token))", .normal),
                ("tenant     \(Sanitizer.visible(d.key.tenant))", .normal),
                ("operation  \(Sanitizer.visible(d.operation))", .normal),
                ("status     \(d.status.rawValue)  (version \(d.version))", Role(d.status)),
                ("age        \(d.age.compact)", .normal),
                ("hits       \(d.hits)", .normal),
                ("", .normal),
                ("What will happen: \(d.wording.consequence).", .notice),
                ("If the service changed the token since, the purge is refused and nothing changes.", .dim),
                ("", .normal),
                ("reason     \(d.reason)▏", .filter),
                ("Type to edit the reason (recorded in the admin event); Backspace deletes.", .dim),
            ]
            let button = d.wording.button
            let buttons = d.purgeFocused ? "   Cancel    [ \(button) ]" : " [ Cancel ]    \(button)  "
            box(lines + [("", .normal), (buttons, .keyHint)], into: &grid, focusRow: lines.count + 1, keepLast: 5)
        } else if let r = state.replayDialog {
            let lines = r.boxLines()
            box(lines, into: &grid, focusRow: lines.count - 1, keepLast: 4)
        } else if let b = state.bulkPurge {
            box(b.boxLines(), into: &grid, focusRow: nil, keepLast: 3)
        } else if let p = state.replayPanel {
            box(p.boxLines(now: state.now), into: &grid, focusRow: nil)
        }
    }

    /// A box drawn with line characters in the middle of the screen, at most 80 columns wide; long lines wrap on
    /// spaces. Widths are display columns, so a CJK tenant or an emoji wraps where it should.
    ///
    /// - Parameter keepLast: when the lines do not all fit, this many last lines stay and lines before them go (a
    ///   prompt at the end must stay visible on a small terminal).
    static func box(_ lines: [(String, Role)], into grid: inout Grid, focusRow: Int?, keepLast: Int = 0) {
        let visible = lines.map { (Sanitizer.visible($0.0), $0.1) }
        let widest = visible.map { TextWidth.of($0.0) }.max() ?? 40
        let width = max(0, min(grid.width - 4, 80, max(40, widest + 4)))
        var wrapped: [(String, Role)] = []
        var focus = focusRow
        for (i, (text, role)) in visible.enumerated() {
            let parts = wrap(text, width: width - 4)
            if let f = focusRow, i < f { focus = (focus ?? 0) + parts.count - 1 }
            wrapped += parts.map { ($0, role) }
        }
        var focusRow = focus
        let room = max(1, grid.height - 4)
        var shown = Array(wrapped.prefix(room))
        if wrapped.count > room, keepLast > 0 {
            let tail = min(keepLast, room)
            shown = Array(wrapped.prefix(room - tail)) + Array(wrapped.suffix(tail))
            // The focused line moves up with the kept tail, or is gone with the middle.
            if let f = focusRow, f >= room - tail {
                focusRow = f >= wrapped.count - tail ? f - (wrapped.count - room) : nil
            }
        }
        let height = shown.count + 2
        let left = max(0, (grid.width - width) / 2), top = max(0, (grid.height - height) / 2)
        for row in 0..<height where top + row < grid.height {
            grid.fill(row: top + row, from: left, count: width, role: .normal)
        }
        let rule = String(repeating: "─", count: max(0, width - 2))
        grid.put("┌" + rule + "┐", x: left, y: top, role: .border)
        grid.put("└" + rule + "┘", x: left, y: top + height - 1, role: .border)
        for (i, (text, role)) in shown.enumerated() {
            let y = top + 1 + i
            grid.put("│", x: left, y: y, role: .border)
            grid.put("│", x: left + width - 1, y: y, role: .border)
            grid.put(text, x: left + 2, y: y, role: i == focusRow ? .selection : role, limit: width - 4)
        }
    }

    /// Splits `text` on spaces into lines of at most `width` display columns (a longer word is cut).
    static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0, TextWidth.of(text) > width else { return [text] }
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            if !current.isEmpty, TextWidth.of(current) + 1 + TextWidth.of(word) > width {
                lines.append(current)
                current = ""
            }
            current += (current.isEmpty ? "" : " ") + word
            while TextWidth.of(current) > width {
                let (head, _) = TextWidth.prefix(current, fitting: width)
                guard !head.isEmpty else { break }
                lines.append(head)
                current = String(current.dropFirst(head.count))
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }
}
