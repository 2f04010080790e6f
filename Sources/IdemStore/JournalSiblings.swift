import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The rotated copies of a journal beside it (`j.jsonl.1`, `j.jsonl-20261201`, `j.1.jsonl`), as logrotate and most
/// loggers name them: where the reader looks, after a rotation, for a file that was made, written and renamed away
/// between two of its looks (two rotations faster than one poll), so that its lines are not lost.
///
/// It remembers which files (device and inode) were read or seen (every copy there when the reader opened counts as
/// seen) and the first lines of the files read, so a copy of one is not read again. Compressed copies (`.gz`, `.xz`,
/// ...) are left alone: they were written by the rotation, not by a service.
struct JournalSiblings {
    /// One rotated copy: its path, identity and last modification (nanoseconds since the epoch).
    struct Entry {
        var path: String
        var identity: FileIdentity
        var modified: Int64
    }

    let directory: String
    let name: String
    private let stem: String
    private let ext: String
    private static let compressed: Set<String> = ["gz", "xz", "bz2", "zst", "lz4", "zip", "z"]
    private var known: Set<FileIdentity> = []
    private var knownHeads: Set<[UInt8]> = []
    /// The last few copies found empty, looked at again at the next rotations (a writer that took one before the
    /// rename may still write to it); older ones count as seen.
    private var emptyCopies: [FileIdentity] = []
    private static let emptyCopiesKept = 16

    /// The copies beside `path`, all of them seen, and the file being read (`reading`).
    init(of path: String, reading: FileIdentity) {
        let ns = path as NSString
        let dir = ns.deletingLastPathComponent
        directory = dir.isEmpty ? "." : dir
        name = ns.lastPathComponent
        ext = (name as NSString).pathExtension
        stem = (name as NSString).deletingPathExtension
        known = Set(scan().map(\.identity))
        known.insert(reading)
    }

    /// The reader moves to the file `identity`, leaving one whose first line was `head`.
    mutating func read(_ identity: FileIdentity, leaving head: [UInt8]) {
        known.insert(identity)
        if !head.isEmpty { knownHeads.insert(head) }
    }

    /// The copies never read nor seen, not empty, and not starting with a line already read (copies of a file read,
    /// or of the one being read, whose first line is `current`), oldest first: files made, written and renamed away
    /// between two looks. `next` is the file the reader moves to after them.
    mutating func unread(before next: JournalFile, current: [UInt8], limit: Int) -> [JournalFile] {
        var out: [JournalFile] = []
        for entry in scan() where !known.contains(entry.identity) && entry.identity != next.identity {
            guard let f = try? JournalFile(openForReading: entry.path), f.identity == entry.identity else { continue }
            let first = f.head(limit: limit)
            if first.isEmpty {
                guard !emptyCopies.contains(entry.identity) else { continue }
                emptyCopies.append(entry.identity)
                if emptyCopies.count > JournalSiblings.emptyCopiesKept { known.insert(emptyCopies.removeFirst()) }
                continue
            }
            emptyCopies.removeAll { $0 == entry.identity }
            known.insert(entry.identity)
            if first == current || knownHeads.contains(first) { continue }
            out.append(f)
        }
        return out
    }

    /// True for the name of a rotated copy of the journal (never the journal's own name).
    func matches(_ candidate: String) -> Bool {
        guard candidate != name else { return false }
        let last = (candidate as NSString).pathExtension.lowercased()
        if JournalSiblings.compressed.contains(last) { return false }
        func follows(_ prefix: String) -> Bool {
            guard candidate.hasPrefix(prefix), let c = candidate.dropFirst(prefix.count).first else { return false }
            return c == "." || c == "-" || c == "_"
        }
        if follows(name) { return true }
        return !ext.isEmpty && follows(stem) && candidate.hasSuffix("." + ext)
    }

    /// The regular files in the journal's directory whose names match, oldest modification first.
    func scan() -> [Entry] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var out: [Entry] = []
        for n in names where matches(n) {
            let p = directory + "/" + n
            var st = stat()
            guard stat(p, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { continue }
            out.append(Entry(path: p, identity: FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino)),
                             modified: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)))
        }
        return out.sorted { $0.modified < $1.modified }
    }
}
