import Foundation
import IdemCore

/// Decides, when a journal is opened, whether its content is a journal at all.
///
/// A file whose non-blank lines are all malformed (a text file named `notes.jsonl`, another program's log) is not
/// an idemtop journal: every command refuses it with one line instead of reporting a green, empty store. The scan
/// stops at the first valid event, so a real journal costs one line; an empty or blank file is a valid empty store.
/// A last line without its `\n` counts like the others.
enum JournalCheck {
    /// How much of the offending line the message shows, in characters (before making it visible).
    static let excerptLength = 60

    /// Throws `StoreError.io` ("PATH: not an idemtop journal: 0 of 2 lines are events (first at 1: ...)") when
    /// `file` holds lines and not one of them is an event.
    static func check(_ file: JournalFile) throws {
        var decoder = EventLineDecoder()
        var lines = 0
        var lineNumber: Int64 = 0
        var first: (line: Int64, reason: String, excerpt: String)?
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var offset: Int64 = 0

        /// Judges one line; true when it is an event (and the scan can stop).
        func judge(_ line: ArraySlice<UInt8>) -> Bool {
            lineNumber += 1
            guard line.contains(where: { $0 != 32 && $0 != 9 && $0 != 13 }) else { return false }
            lines += 1
            let reason: String? = line.withUnsafeBufferPointer { b in
                do throws(LineError) {
                    _ = try decoder.decodeEvent(b, seq: lineNumber, ref: 0)
                    return nil
                } catch {
                    return error.reason
                }
            }
            guard let reason else { return true }
            if first == nil {
                let text = String(decoding: line.prefix(excerptLength * 4), as: UTF8.self)
                let cut = text.count > excerptLength ? String(text.prefix(excerptLength)) + "…" : text
                first = (lineNumber, reason, cut)
            }
            return false
        }

        while true {
            let n = try chunk.withUnsafeMutableBufferPointer { b -> Int in
                guard let base = b.baseAddress else { return 0 }
                return try file.read(into: base, count: b.count, at: offset)
            }
            if n == 0 { break }
            offset += Int64(n)
            pending += chunk[0..<n]
            var start = pending.startIndex
            while let nl = pending[start...].firstIndex(of: 10) {
                if judge(pending[start..<nl]) { return }
                start = nl + 1
            }
            pending.removeSubrange(..<start)
        }
        if !pending.isEmpty, judge(pending[...]) { return }
        guard lines > 0, let first else { return }
        let message = "not an idemtop journal: 0 of \(lines) line\(lines == 1 ? " is an event" : "s are events") "
            + "(first at \(first.line): \(first.reason): \(first.excerpt))"
        throw StoreError.io(path: file.path, why: Sanitizer.visible(message))
    }
}
