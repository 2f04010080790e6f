import Foundation
import IdemCore
#if canImport(Glibc)
import Glibc
#endif

/// A checkpoint of a journal's fold (the whole `Ledger`) in the cache folder, so a reopen folds only the lines
/// appended since.
///
/// Keyed as the token index is (device, inode, a hash of the first 64 KiB, the offset covered) and by the policy
/// that made it. The file, little-endian (version 4):
///
///     header:  "IDEMFLD" version(u8), device, inode, headLength, headHash, covered, lines, retention ms,
///              lock timeout ms, chunkSize, bodyLength (u64 each), header checksum (u64)      -- 96 bytes
///     body:    the ledger's `LedgerImage`, bodyLength bytes
///     trailer: one checksum (u64) per chunkSize bytes of the body, then a checksum of those (u64)
///
/// The body is written as it is produced, one chunk at a time, each chunk's checksum taken as it leaves (nothing
/// the size of the whole is ever in memory); it goes to a temporary file renamed into place at the end. Reading
/// maps the file, checks the header and the trailer at once, and each chunk of the body just before the decoder
/// first touches it; the pages read are given back (`MADV_DONTNEED`) as the decoder moves on, so the mapped file
/// does not add to the ledger's memory. A truncated file (its size is not the one the header implies), a flipped
/// byte anywhere (a chunk's, the header's or the trailer's checksum), another file or another policy's checkpoint
/// is discarded with a notice.
public enum JournalFoldCheckpoint {
    static let magic: [UInt8] = Array("IDEMFLD".utf8)
    /// 2: the ledger holds every event's time (EventTimes), for `at:` and the histogram.
    /// 3: fixed-size records and flat arrays (`LedgerImage`), checksummed in chunks, read from a mapping.
    /// 4: the summary's columns (expiry, lock deadline, stored status) and the record index stored, so `stats`
    /// reads the image in place (`LedgerImageView`) and a whole read rebuilds no index.
    static let version: UInt8 = 4
    static let headerSize = 8 + 8 * 10 + 8
    static let chunkSize = 1 << 20

    static func name(forJournal path: String, folder: String) -> String {
        folder + "/" + (JournalTokenIndex.fileName(forJournal: path) as NSString).deletingPathExtension + ".fold"
    }

    /// A checkpoint read back: the ledger, the offset and line count it covers, and the checkpoint file's size.
    public struct Found {
        public var ledger: Ledger
        public var covered: Int64
        public var lines: Int64
        public var bytes: Int64
    }

    /// The ledger checkpointed for `path` and the offset and line count it covers; nil when there is none; throws
    /// a `JournalTokenIndex.Rejection` (and deletes the checkpoint) when it cannot be trusted.
    public static func read(journal path: String, policy: Policy, folder: String) throws -> Found? {
        guard let opened = try open(journal: path, policy: policy, folder: folder) else { return nil }
        return Found(ledger: try opened.ledger(), covered: opened.covered, lines: opened.lines, bytes: opened.bytes)
    }

    /// The checkpoint for `path` mapped, its header, key and trailer checked, its body not read yet; nil when
    /// there is none; throws a `JournalTokenIndex.Rejection` (and deletes the checkpoint) when it cannot be trusted.
    public static func open(journal path: String, policy: Policy, folder: String) throws -> Opened? {
        let name = name(forJournal: path, folder: folder)
        let fd = openForReading(name)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        do {
            return try Opened(fd, name: name, journal: try JournalFile(openForReading: path), policy: policy)
        } catch let e as JournalTokenIndex.Rejection {
            unlink(name)
            throw e
        }
    }

    /// A checkpoint file mapped, its header and trailer checked: the ledger it holds is read from it whole
    /// (`ledger()`) or in place (`view()`), each chunk of the body checked against its checksum just before it is
    /// first read. A chunk that does not match throws the rejection and deletes the file.
    public final class Opened {
        /// The journal offset and line count the checkpoint covers, and the checkpoint file's size.
        public let covered: Int64
        public let lines: Int64
        public let bytes: Int64
        /// The journal's size when the checkpoint was opened.
        public let journalSize: Int64
        let name: String
        let policy: Policy
        private let map: UnsafeMutableRawPointer
        private let size: Int
        let body: UnsafeRawBufferPointer
        let verify: (Range<Int>) throws -> Void
        let release: (Range<Int>) -> Void

        init(_ fd: Int32, name: String, journal: JournalFile, policy: Policy) throws {
            typealias R = JournalTokenIndex.Rejection
            let corrupt = R(description: "the fold checkpoint is corrupt")
            var st = stat()
            guard fstat(fd, &st) == 0 else { throw corrupt }
            let size = Int(st.st_size)
            guard size >= headerSize else { throw corrupt }
            guard let map = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), map != MAP_FAILED else {
                throw R(description: "the fold checkpoint cannot be mapped: " + String(cString: strerror(errno)))
            }
            var mapped = true
            defer { if mapped { munmap(map, size) } }
            let file = UnsafeRawBufferPointer(start: UnsafeRawPointer(map), count: size)
            func u64(_ at: Int) -> UInt64 { UInt64(littleEndian: file.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }

            guard Array(file[0..<magic.count]) == magic else { throw corrupt }
            guard file[magic.count] == version else { throw R(description: "the fold checkpoint is of another version") }
            let v = (0..<10).map { u64(8 + 8 * $0) }
            let headerSum = CacheFolder.checksum(UnsafeRawBufferPointer(rebasing: file[0..<(headerSize - 8)]))
            guard u64(headerSize - 8) == headerSum else { throw corrupt }
            guard FileIdentity(device: v[0], inode: v[1]) == journal.identity else {
                throw R(description: "the fold checkpoint is of another file")
            }
            let (headLength, covered) = (Int64(v[2]), Int64(v[4]))
            let journalSize = journal.size()
            guard journalSize >= covered, headLength <= covered,
                  JournalTokenIndex.headHash(journal, length: Int(headLength)) == v[3] else {
                throw R(description: "the fold checkpoint is stale (the journal was truncated or rewritten)")
            }
            guard Int64(bitPattern: v[6]) == policy.retention.ms, Int64(bitPattern: v[7]) == policy.lockTimeout.ms else {
                throw R(description: "the fold checkpoint was made with another retention or lock timeout")
            }
            let (chunk, bodyLength) = (v[8], v[9])
            guard chunk >= 64, chunk <= 1 << 30, bodyLength < 1 << 40 else { throw corrupt }
            let chunks = Int((bodyLength + chunk - 1) / chunk)
            let trailerAt = headerSize + Int(bodyLength)
            guard size == trailerAt + 8 * chunks + 8 else { throw corrupt }
            let sums = UnsafeRawBufferPointer(rebasing: file[trailerAt..<(trailerAt + 8 * chunks)])
            guard u64(size - 8) == CacheFolder.checksum(sums, seed: headerSum) else { throw corrupt }

            let body = UnsafeRawBufferPointer(rebasing: file[headerSize..<trailerAt])
            // The image may be read in parts on several threads at once (`LedgerImage.read`): the chunks checked
            // are noted under a lock (a chunk two parts share may be checked twice, which is harmless).
            let checked = Locked([Bool](repeating: false, count: chunks))
            let step = Int(chunk)
            let page = Int(sysconf(Int32(_SC_PAGESIZE)))
            verify = { range in
                guard !range.isEmpty else { return }
                guard range.lowerBound >= 0, range.upperBound <= body.count else { throw corrupt }
                for k in (range.lowerBound / step)...((range.upperBound - 1) / step) where !checked.withLock({ $0[k] }) {
                    let bytes = UnsafeRawBufferPointer(rebasing: body[(k * step)..<min(body.count, (k + 1) * step)])
                    let want = UInt64(littleEndian: sums.loadUnaligned(fromByteOffset: 8 * k, as: UInt64.self))
                    guard CacheFolder.chunkChecksum(bytes, index: k, key: headerSum) == want else {
                        unlink(name)
                        throw corrupt
                    }
                    checked.withLock { $0[k] = true }
                }
            }
            // Gives back the whole pages of a range read: they are clean pages of the file, faulted in again if needed.
            release = { range in
                let lo = (headerSize + range.lowerBound + page - 1) / page * page
                let hi = (headerSize + range.upperBound) / page * page
                if hi > lo { _ = madvise(map + lo, hi - lo, MADV_DONTNEED) }
            }
            self.covered = covered
            self.lines = Int64(v[5])
            self.bytes = Int64(size)
            self.journalSize = journalSize
            self.name = name
            self.policy = policy
            self.map = map
            self.size = size
            self.body = body
            mapped = false
        }

        deinit { munmap(map, size) }

        /// The whole ledger, decoded (`list`); throws the rejection (and deletes the file) when it cannot be trusted.
        public func ledger() throws -> Ledger {
            _ = madvise(map, size, MADV_SEQUENTIAL)
            do {
                guard let ledger = try LedgerImage.read(body, policy: policy, verify: verify, release: release) else {
                    throw JournalTokenIndex.Rejection(description: "the fold checkpoint is corrupt")
                }
                return ledger
            } catch let e as JournalTokenIndex.Rejection {
                discard()
                throw e
            }
        }

        /// The image read in place (`stats`): its meta, its status columns, and the records a tail touches. A
        /// view's reads may throw `LedgerImage.Invalid` or the rejection later: the caller then `discard()`s it.
        public func view() throws -> LedgerImageView {
            do {
                guard let view = try LedgerImageView(body, policy: policy, owner: self, verify: verify) else {
                    throw JournalTokenIndex.Rejection(description: "the fold checkpoint is corrupt")
                }
                return view
            } catch let e as JournalTokenIndex.Rejection {
                discard()
                throw e
            }
        }

        /// Deletes the checkpoint file (it could not be trusted).
        public func discard() { unlink(name) }
    }

    /// Writes `ledger` as the checkpoint of the journal at `path` read to `covered` (`lines` lines) into `folder`,
    /// in chunks of `chunkSize` bytes (a test makes them small).
    public static func write(_ ledger: Ledger, journal path: String, covered: Int64, lines: Int64,
                             folder: String) throws {
        try write(ledger, journal: path, covered: covered, lines: lines, folder: folder, chunkSize: chunkSize)
    }

    static func write(_ ledger: Ledger, journal path: String, covered: Int64, lines: Int64, folder: String,
                      chunkSize: Int) throws {
        let file = try JournalFile(openForReading: path)
        let headLength = Int(min(Int64(JournalTokenIndex.headLimit), covered))
        guard file.size() >= covered, let headHash = JournalTokenIndex.headHash(file, length: headLength) else {
            throw StoreError.usage("the journal changed while it was read")
        }
        let plan = LedgerImage.plan(ledger)
        var w = ByteWriter()
        w.bytes += magic
        w.u8(version)
        for x in [file.identity.device, file.identity.inode, UInt64(headLength), headHash, UInt64(covered),
                  UInt64(lines), UInt64(bitPattern: ledger.policy.retention.ms),
                  UInt64(bitPattern: ledger.policy.lockTimeout.ms), UInt64(chunkSize), UInt64(plan.length)] {
            w.u64(x)
        }
        let headerSum = w.bytes.withUnsafeBytes { CacheFolder.checksum($0) }
        w.u64(headerSum)
        try CacheFolder.make(folder)
        try CacheFolder.writeAtomically(to: name(forJournal: path, folder: folder)) { out in
            try w.bytes.withUnsafeBytes { try out.write($0) }
            var chunks = ChunkedSink(size: chunkSize, key: headerSum)
            try LedgerImage.write(ledger, plan: plan) { try chunks.add($0, to: &out) }
            try chunks.finish(to: &out)
        }
    }
}

/// `open(2)` read-only (the enum's own `open` hides the C function inside it).
private func openForReading(_ path: String) -> Int32 { open(path, O_RDONLY | O_CLOEXEC) }

/// Cuts the bytes written into chunks of a fixed size, writing each with its checksum noted, then the trailer.
private struct ChunkedSink {
    let size: Int
    let key: UInt64
    var buffer: [UInt8] = []
    var sums = ByteWriter()

    init(size: Int, key: UInt64) {
        self.size = size
        self.key = key
        buffer.reserveCapacity(size)
    }

    mutating func add(_ bytes: UnsafeRawBufferPointer, to out: inout CacheFolder.FileSink) throws {
        var at = 0
        while at < bytes.count {
            let n = min(size - buffer.count, bytes.count - at)
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[at..<(at + n)]))
            at += n
            if buffer.count == size { try emit(to: &out) }
        }
    }

    private mutating func emit(to out: inout CacheFolder.FileSink) throws {
        let k = sums.bytes.count / 8
        let sum = buffer.withUnsafeBytes { CacheFolder.chunkChecksum($0, index: k, key: key) }
        sums.u64(sum)
        try buffer.withUnsafeBytes { try out.write($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    mutating func finish(to out: inout CacheFolder.FileSink) throws {
        if !buffer.isEmpty { try emit(to: &out) }
        let tail = sums.bytes.withUnsafeBytes { CacheFolder.checksum($0, seed: key) }
        sums.u64(tail)
        try sums.bytes.withUnsafeBytes { try out.write($0) }
    }
}
