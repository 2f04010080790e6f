import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Refuses a store path that names a FIFO, a socket or a device, before anything opens it.
///
/// Opening a FIFO blocks until a writer comes, and reading a device never ends: a store is a regular file, so every
/// open of a journal or SQLite file asks here first (and the journal opens with `O_NONBLOCK`, so a path swapped for
/// a FIFO between this look and the open cannot block either).
public enum RegularFile {
    /// Throws `StoreError.io` ("PATH: not a regular file (a FIFO)") when `path` names something other than a
    /// regular file or a directory; returns whether anything exists there. Directories are left to the caller, which
    /// names them its own way.
    @discardableResult
    public static func refuseSpecial(_ path: String) throws -> Bool {
        var st = stat()
        guard stat(path, &st) == 0 else { return false }
        if let kind = specialKind(st.st_mode) { throw refusal(path, kind) }
        return true
    }

    /// The error for a path that is `kind` ("a FIFO").
    static func refusal(_ path: String, _ kind: String) -> StoreError {
        .io(path: path, why: "not a regular file (\(kind))")
    }

    /// What a file of `mode` is, in two or three words, when it is neither a regular file nor a directory.
    static func specialKind(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG, S_IFDIR: return nil
        case S_IFIFO: return "a FIFO"
        case S_IFSOCK: return "a socket"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        default: return "not a file"
        }
    }
}
