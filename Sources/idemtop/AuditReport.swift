import IdemApp
import Foundation
import IdemCore

/// The output of `idemtop audit`: the findings as a table or JSON, and the exit code for `--fail-on`.
///
/// The formatting itself lives in `IdemCore.FindingsReport` (pure, and tested there); this is the command's face.
enum AuditReport {
    /// `--format table|json`.
    enum Format: String, CaseIterable, Sendable {
        case table
        case json
    }

    /// The text to print for `findings` in `format` (ends with a newline).
    static func render(_ findings: [Finding], suppressed: [FindingKind: Int] = [:], format: Format) -> String {
        switch format {
        case .table: return FindingsReport.table(findings, suppressed: suppressed)
        case .json: return FindingsReport.json(findings)
        }
    }

    /// 4 when a finding of severity `failOn` or higher exists, else 0.
    static func exitCode(findings: [Finding], failOn: Severity?) -> Int32 {
        FindingsReport.exitCode(findings: findings, failOn: failOn)
    }
}
