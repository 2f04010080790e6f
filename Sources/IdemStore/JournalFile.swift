import Foundation
import IdemCore
#if canImport(Glibc)
import Glibc
#endif

/// Which file a descriptor or path names: device and inode, as `tail -F` compares them to notice a rotation.
struct FileIdentity: Hashable, Sendable {
    var device: UInt64
    var inode: UInt64
}

/// One open journal file descriptor, closed when the last reference goes: the thin layer over the system calls.
final class JournalFile {
    let fd: Int32
    let path: String
    let identity: FileIdentity

    /// Opens `path` read-only: the reader never writes, locks or creates the journal.
    convenience init(openForReading path: String) throws {
        try self.init(path: path, flags: O_RDONLY | O_CLOEXEC)
        // The first read goes through the whole file in order: ask for a larger read-ahead.
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
    }

    /// Opens `path` for appending (`O_WRONLY|O_APPEND`), making it when `create` is true.
    convenience init(openForAppending path: String, create: Bool) throws {
        try self.init(path: path, flags: O_WRONLY | O_APPEND | O_CLOEXEC | (create ? O_CREAT : 0))
    }

    /// Opens with `O_NONBLOCK`: a FIFO swapped in after `RegularFile`'s look cannot block the open or a read, and
    /// the `fstat` below refuses it (the flag changes nothing for a regular file).
    private init(path: String, flags: Int32) throws {
        self.path = path
        try RegularFile.refuseSpecial(path)
        var fd: Int32
        repeat { fd = open(path, flags | O_NONBLOCK, 0o644) } while fd < 0 && errno == EINTR
        if fd < 0 {
            let e = errno
            switch e {
            case ENOENT: throw StoreError.notFound(path)
            case EISDIR: throw StoreError.notAStore(path: path, why: "a directory")
            case ENXIO: throw RegularFile.refusal(path, "a FIFO") // a FIFO opened for writing with no reader
            default: throw StoreError.io(path: path, why: String(cString: strerror(e)))
            }
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let why = String(cString: strerror(errno))
            close(fd)
            throw StoreError.io(path: path, why: why)
        }
        if st.st_mode & S_IFMT == S_IFDIR {
            close(fd)
            throw StoreError.notAStore(path: path, why: "a directory")
        }
        if let kind = RegularFile.specialKind(st.st_mode) {
            close(fd)
            throw RegularFile.refusal(path, kind)
        }
        self.fd = fd
        identity = FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
    }

    deinit { close(fd) }

    /// The identity of whatever `path` names now; nil when nothing does.
    static func identity(ofPath path: String) -> FileIdentity? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
    }

    /// The file's current size in bytes.
    func size() -> Int64 {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return 0 }
        return Int64(st.st_size)
    }

    /// Reads up to `count` bytes at `offset` with `pread`; 0 at the end of the file.
    func read(into p: UnsafeMutablePointer<UInt8>, count: Int, at offset: Int64) throws -> Int {
        while true {
            let n = pread(fd, p, count, off_t(offset))
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw StoreError.io(path: path, why: "read failed: " + String(cString: strerror(errno)))
        }
    }

    /// The bytes of the line starting at `offset`, without its `\n` (up to the end of the file if it has none).
    func line(at offset: Int64) throws -> [UInt8] {
        var out = [UInt8]()
        var chunk = 4096
        var at = offset
        while true {
            var got = 0
            var found = false
            let old = out.count
            out.append(contentsOf: repeatElement(0, count: chunk))
            try out.withUnsafeMutableBufferPointer { b in
                guard let base = b.baseAddress else { return }
                got = try read(into: base + old, count: chunk, at: at)
                if let nl = memchr(base + old, 10, got) {
                    got = (base + old).distance(to: nl.assumingMemoryBound(to: UInt8.self))
                    found = true
                }
            }
            out.removeLast(chunk - got)
            if found || got == 0 { return out }
            at += Int64(got)
            chunk = min(chunk * 2, 1 << 22)
        }
    }

    /// Writes all of `bytes` with one `write` call (and more only if the system writes part of it).
    func writeAll(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { b in
            guard var p = b.baseAddress else { return }
            var left = b.count
            while left > 0 {
                let n = write(fd, p, left)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw StoreError.io(path: path, why: "write failed: " + String(cString: strerror(errno)))
                }
                p += n
                left -= n
            }
        }
    }

    /// Takes the exclusive lock every writer of the journal takes (`flock(LOCK_EX)`), waiting for it.
    func lockExclusive() throws {
        while flock(fd, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            throw StoreError.io(path: path, why: "lock failed: " + String(cString: strerror(errno)))
        }
    }

    func unlock() {
        _ = flock(fd, LOCK_UN)
    }

    /// True when no writer holds the writers' lock right now: takes a shared lock without waiting and lets it go.
    ///
    /// After a rotation a writer that took the lock on the old file may still append one line to it; once this is
    /// true, every later writer finds the new file when it checks under the lock (see `JournalWriter`).
    func noWriterHoldsLock() -> Bool {
        guard flock(fd, LOCK_SH | LOCK_NB) == 0 else { return false }
        _ = flock(fd, LOCK_UN)
        return true
    }

    /// The file's first line with its `\n`, or its first `limit` bytes when the line is longer (or has no `\n` yet).
    func head(limit: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: limit)
        let n = bytes.withUnsafeMutableBufferPointer { b -> Int in
            guard let base = b.baseAddress else { return 0 }
            return (try? read(into: base, count: limit, at: 0)) ?? 0
        }
        let cut = bytes[..<n].firstIndex(of: 10).map { $0 + 1 } ?? n
        return Array(bytes[..<cut])
    }

    /// True when the file still starts with `head` (always, for an empty `head`): one `pread` of `head.count` bytes.
    func starts(with head: [UInt8]) -> Bool {
        guard !head.isEmpty else { return true }
        var now = [UInt8](repeating: 0, count: head.count)
        let n = now.withUnsafeMutableBufferPointer { b -> Int in
            guard let base = b.baseAddress else { return 0 }
            return (try? read(into: base, count: head.count, at: 0)) ?? 0
        }
        return n == head.count && now == head
    }
}
