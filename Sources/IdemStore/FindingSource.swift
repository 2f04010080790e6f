import IdemCore

/// A reader that finds problems only its store's records show, beyond what its events carry (Redis: a completed
/// record without its validation hash, an in-progress one without a deadline, an orphan-takeover lock). The
/// dashboard's feed and the reports hand its list to the detectors (`FindingsDetector.supply`), so these findings
/// appear in the findings view, `idemtop audit` and its JSON like every other kind.
public protocol FindingSource: AnyObject {
    /// The findings as of the reader's last look, whole (not a change since the last call).
    var storeFindings: [Finding] { get }
    /// A number that changes whenever `storeFindings` does: the feed posts the list only then.
    var storeFindingsVersion: Int { get }
}
