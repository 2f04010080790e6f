import IdemCore

/// A semantic style role: what a piece of text is, never how it looks. A `Theme` maps each role to a `Style`.
public enum Role: String, CaseIterable, Sendable, Hashable {
    case normal
    case completed
    case inProgress = "in_progress"
    case stuck
    case expired
    case failed
    case purged
    case executed
    case replayed
    case mismatch
    case conflict
    case reexecuted
    case admin
    case selection
    case header
    case headerLabel = "header_label"
    case tableHeader = "table_header"
    case statusBar = "status_bar"
    case border
    case dim
    case error
    case notice
    case sparkline
    case filter
    case keyHint = "key_hint"

    /// The role for a derived token status.
    public init(_ status: TokenStatus) {
        switch status {
        case .inProgress: self = .inProgress
        case .stuck: self = .stuck
        case .completed: self = .completed
        case .failed: self = .failed
        case .expired: self = .expired
        case .purged: self = .purged
        }
    }

    /// A single character standing for this role in snapshot files.
    public var code: Character {
        let codes: [Role: Character] = [
            .normal: ".", .completed: "C", .inProgress: "I", .stuck: "S", .expired: "X", .failed: "F", .purged: "P",
            .executed: "e", .replayed: "r", .mismatch: "m", .conflict: "c", .reexecuted: "x", .admin: "a",
            .selection: "#", .header: "H", .headerLabel: "L", .tableHeader: "T", .statusBar: "B", .border: "-",
            .dim: "d", .error: "!", .notice: "n", .sparkline: "s", .filter: "f", .keyHint: "k",
        ]
        return codes[self] ?? "?"
    }
}

extension Role {
    /// The role for a request outcome.
    public init(_ outcome: Outcome) {
        switch outcome {
        case .executed: self = .executed
        case .replayed: self = .replayed
        case .mismatch: self = .mismatch
        case .conflict: self = .conflict
        case .reexecuted: self = .reexecuted
        }
    }

    /// The role a tail line's label takes for an event.
    public init(event e: StoreEvent) {
        switch e.kind {
        case .request: self = Role(e.outcome ?? .replayed)
        case .completed: self = .completed
        case .failed: self = .failed
        case .purge, .replay: self = .admin
        }
    }
}
