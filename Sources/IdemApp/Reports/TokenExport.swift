import Foundation
import IdemCore
import IdemUI

/// Tokens written as `list` writes them: CSV (with its CSV-injection and control-byte escaping) or JSON, one
/// `TokenRow` each. `list --format csv|json` and the dashboard's `:export` both use it.
public enum TokenExport {
    public enum Format: String, Sendable { case csv, json }

    /// The format a file name asks for by its extension (`.csv`, `.json`), if any.
    public static func format(ofPath path: String) -> Format? {
        Format(rawValue: (path as NSString).pathExtension.lowercased())
    }

    /// The lines of the document: the CSV header and a line per record, or one pretty JSON array.
    public static func lines(_ records: [TokenRecord], in ledger: Ledger, at now: Instant, format: Format) -> [String] {
        switch format {
        case .csv:
            return [TextTable.csvLine(TokenRow.csvHeader(ledger))]
                + records.map { TextTable.csvLine(TokenRow($0, in: ledger, at: now).csv) }
        case .json:
            return [ReportJSON.encode(records.map { TokenRow($0, in: ledger, at: now) }, pretty: true)]
        }
    }

    /// Writes the records of `ledger` at `indexes` to `path` (replacing it whole: written beside it, then renamed);
    /// the answer is a line for the notice bar, or the error.
    public static func write(_ indexes: [Int32], of ledger: Ledger, at now: Instant, to path: String) -> Result<String, Error> {
        guard let format = format(ofPath: path) else {
            return .failure(ExportError("export: the file name must end in .csv or .json: \(path)"))
        }
        let records = indexes.compactMap { Int($0) < ledger.records.count ? ledger.records[Int($0)] : nil }
        let text = lines(records, in: ledger, at: now, format: format).joined(separator: "\n") + "\n"
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            return .success("exported \(TextTable.grouped(records.count)) token\(records.count == 1 ? "" : "s") to \(path) "
                + "(\(format.rawValue))")
        } catch {
            return .failure(ExportError("export: could not write \(path): \(error.localizedDescription)"))
        }
    }

}

/// Why an export did not happen, in one line.
public struct ExportError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
