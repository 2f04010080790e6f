/// One detector: it follows a store's events and reports what it found over the ledger at an instant.
///
/// `FindingsDetector` drives a list of them (`FindingsDetector.detectors(config:)`): every event goes to every
/// detector's `observe`, in store order, and a report asks each for its findings. A detector keeps at most
/// `DetectorConfig.maxFindingsPerKind` findings per kind and counts the rest (`droppedByKind` as events come, or what
/// `report` returns when it judges at `now`). A new finding kind is one detector (a type conforming to this) plus a
/// line in that list and a line in `FindingKind.table`. Pure: no I/O, no clock reads.
public protocol Detector: Sendable {
    /// Takes one event into account; called for every event, in store order, so it must be cheap (a switch on the
    /// event's kind and outcome first: most events concern a detector not at all).
    mutating func observe(_ e: StoreEvent)

    /// Appends the findings at `now` to `out`, reading the ledger for what a token holds now; returns how many were
    /// left out at `now` (past the cap), by kind, for the kinds judged at report time (`stuck`), else nothing.
    func report(at now: Instant, ledger: Ledger, into out: inout [Finding]) -> [FindingKind: Int]

    /// Findings of its kinds not kept because the kind reached `maxFindingsPerKind` as events came, by kind (only
    /// the kinds with a count).
    var droppedByKind: [FindingKind: Int] { get }
}

extension Detector {
    /// Nothing dropped: a detector that judges only at report time.
    public var droppedByKind: [FindingKind: Int] { [:] }
}

extension Dictionary where Key == FindingKind, Value == Int {
    /// The counts of `pairs` that are above zero, by kind: what a detector says it dropped.
    static func counted(_ pairs: (FindingKind, Int)...) -> [FindingKind: Int] {
        var out: [FindingKind: Int] = [:]
        for (kind, n) in pairs where n > 0 { out[kind, default: 0] += n }
        return out
    }
}
