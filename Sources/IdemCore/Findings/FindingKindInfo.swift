extension FindingKind {
    /// One line of `FindingKind.table`: how a kind is named, shown, filtered and explained.
    public struct Info: Sendable, Hashable {
        public let kind: FindingKind
        /// A short label for the header, narrow tables and the filter term `finding:LABEL` (`double_charge`).
        public let label: String
        /// A short human title (`double charge suspect`).
        public let title: String
        /// The severities its findings can have, lowest first.
        public let severities: [Severity]
        /// Other names the filter term accepts, besides the raw value and the label (`double`).
        public let aliases: [String]
        /// What it means, in one line, for the help.
        public let summary: String
        /// Found by a store's reader in what only its records show (`FindingsDetector.supply`), not by a detector
        /// over the events: the simulator cannot plant it.
        public let foundByStore: Bool

        public init(_ kind: FindingKind, label: String, title: String, severities: [Severity], aliases: [String] = [],
                    summary: String, foundByStore: Bool = false) {
            self.kind = kind
            self.label = label
            self.title = title
            self.severities = severities
            self.aliases = aliases
            self.summary = summary
            self.foundByStore = foundByStore
        }

        /// The severities in words, lowest first: `high or critical`, `low, medium or high`.
        public var severityText: String {
            let names = severities.map(\.rawValue)
            guard let last = names.last else { return "" }
            return names.count == 1 ? last : names.dropLast().joined(separator: ", ") + " or " + last
        }
    }
}
