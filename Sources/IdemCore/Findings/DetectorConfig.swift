import Foundation

/// The thresholds and windows of the detectors, with defaults chosen for a payments API.
///
/// Every window is inclusive: two events are "within" a window `w` when their times differ by at most `w`.
public struct DetectorConfig: Sendable, Hashable {
    /// double_charge_suspect: executions of one payload under different tokens this close together (default 10 min).
    public var doubleChargeWindow: TimeSpan
    /// double_charge_suspect: this many distinct tokens or more make it critical (default 3).
    public var doubleChargeCriticalTokens: Int
    /// Words that mark an operation as moving money (matched case-insensitively inside the operation name):
    /// a double charge suspect on such an operation is critical.
    public var moneyOperationWords: [String]
    /// retry_storm: more than this many requests with one token within `stormWindow` (default 10).
    public var stormHits: Int
    /// retry_storm: the window the hits are counted in (default 1 min).
    public var stormWindow: TimeSpan
    /// retry_storm: a peak of `stormHits × stormHighFactor` hits or more in one window is high (default 5, so 50/min).
    public var stormHighFactor: Int
    /// expiring_with_retries: the margin before expiry is this fraction of the token's retention (default 0.1)...
    public var expiryMarginFraction: Double
    /// ...but never more than this (default 1 h). With the standard 24 h retention the margin is the last hour.
    public var expiryMarginCap: TimeSpan
    /// stuck: past the deadline for this long or more, it is high rather than medium (default 5 min).
    public var stuckHighAfter: TimeSpan
    /// token_reuse: a tenant with this many reused tokens or more gets a per-tenant finding (default 3).
    public var reuseTenantMinTokens: Int
    /// weak_token: tokens shorter than this are too short to be unique (default 16; a UUID has 36).
    public var minTokenLength: Int
    /// weak_token: tokens with fewer distinct letters and digits than this are repetitive (default 5).
    public var minDistinctChars: Int
    /// How many example tokens a per-tenant finding lists, and how many executions a double charge lists (default 5).
    public var maxExamples: Int
    /// Memory bound: at most this many findings kept per kind; more are counted in `suppressed` (default 10,000).
    public var maxFindingsPerKind: Int

    public init(
        doubleChargeWindow: TimeSpan = .minutes(10), doubleChargeCriticalTokens: Int = 3,
        moneyOperationWords: [String] = ["charge", "payment", "payout", "refund", "transfer"],
        stormHits: Int = 10, stormWindow: TimeSpan = .minutes(1), stormHighFactor: Int = 5,
        expiryMarginFraction: Double = 0.1, expiryMarginCap: TimeSpan = .hours(1),
        stuckHighAfter: TimeSpan = .minutes(5), reuseTenantMinTokens: Int = 3,
        minTokenLength: Int = 16, minDistinctChars: Int = 5, maxExamples: Int = 5, maxFindingsPerKind: Int = 10_000
    ) {
        self.doubleChargeWindow = doubleChargeWindow
        self.doubleChargeCriticalTokens = doubleChargeCriticalTokens
        self.moneyOperationWords = moneyOperationWords
        self.stormHits = stormHits
        self.stormWindow = stormWindow
        self.stormHighFactor = stormHighFactor
        self.expiryMarginFraction = expiryMarginFraction
        self.expiryMarginCap = expiryMarginCap
        self.stuckHighAfter = stuckHighAfter
        self.reuseTenantMinTokens = reuseTenantMinTokens
        self.minTokenLength = minTokenLength
        self.minDistinctChars = minDistinctChars
        self.maxExamples = maxExamples
        self.maxFindingsPerKind = maxFindingsPerKind
    }

    /// The documented defaults.
    public static let standard = DetectorConfig()

    /// Whether `operation` moves money, by `moneyOperationWords`.
    public func movesMoney(_ operation: String?) -> Bool {
        guard let op = operation?.lowercased(), !op.isEmpty else { return false }
        return moneyOperationWords.contains { !$0.isEmpty && op.contains($0.lowercased()) }
    }

    /// The margin before `expiresAt` in which a retry is flagged, for a token executed at `executedAt`.
    public func expiryMargin(executedAt: Instant, expiresAt: Instant) -> TimeSpan {
        let retention = max(0, expiresAt.ms - executedAt.ms)
        let fraction = Int64((Double(retention) * expiryMarginFraction).rounded(.down))
        return TimeSpan(ms: min(fraction, expiryMarginCap.ms))
    }
}
