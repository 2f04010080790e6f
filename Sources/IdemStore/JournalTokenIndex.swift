import Foundation
import IdemCore
#if canImport(Glibc)
import Glibc
#endif

/// A checkpoint of where every token's lines are in one journal, kept in the cache folder so `show TOKEN` reads a
/// few lines instead of the whole file.
///
/// It is keyed by the journal's identity (device, inode, a hash of its first 64 KiB) and the byte offset it covers;
/// lines after that offset were appended since and are read from the journal itself. The file, little-endian:
///
///     "IDEMTIX" version(u8) device inode headLength headHash covered lines malformedCount firstMalformedLine (u64 each)
///     reasonLength(u32) reason  entryCount(u64)  bucketStart[4097](u32)  bucketChecksum[4096](u64)  headerChecksum
///     entries: (offset u64, line u32, tokenHash u32) each, grouped by the hash's top 12 bits, in file order
///
/// The header has its checksum and each bucket its own, so a lookup verifies exactly the bytes it uses.
public struct JournalTokenIndex {
    static let magic: [UInt8] = Array("IDEMTIX".utf8)
    static let version: UInt8 = 1
    static let headLimit = 64 << 10
    static let bucketBits = 12
    static let buckets = 1 << bucketBits
    static let entrySize = 16

    var identity: FileIdentity
    var headLength: Int64
    var headHash: UInt64
    /// The offset up to which every line is indexed; the lines from there on were appended since.
    public var covered: Int64
    /// How many lines come before `covered`.
    public var lines: Int64
    public var malformedCount: Int64
    public var firstMalformed: MalformedEntry?
    var bucketStart: [UInt32]
    var bucketChecksum: [UInt64]
    /// Where the entries start in the checkpoint file.
    var entriesAt: Int

    /// The hash an entry is filed under: the token's alone, so a lookup finds it in every tenant.
    static func hash(_ token: String) -> UInt32 { TokenChainIndex.hash(tenant: "", token: token) }

    /// Why a checkpoint was not used: one line for stderr or the status line.
    public struct Rejection: Error, CustomStringConvertible {
        public var description: String
    }

    /// The checkpoint's file name for the journal at `path` (a hash of its absolute path).
    static func fileName(forJournal path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let bytes = Array((absolute as NSString).standardizingPath.utf8)
        let h = bytes.withUnsafeBytes { CacheFolder.checksum($0) }
        return "journal-" + String(h, radix: 16) + ".tix"
    }

    /// The hash of the first `length` bytes of `file` (nil when it has fewer).
    static func headHash(_ file: JournalFile, length: Int) -> UInt64? {
        var bytes = [UInt8](repeating: 0, count: length)
        let n = bytes.withUnsafeMutableBufferPointer { b -> Int in
            guard let base = b.baseAddress, length > 0 else { return 0 }
            return (try? file.read(into: base, count: length, at: 0)) ?? -1
        }
        guard n == length else { return nil }
        return bytes.withUnsafeBytes { CacheFolder.checksum($0) }
    }
}

/// Collects the entries of a journal read whole, then writes them as a checkpoint.
public struct JournalTokenIndexBuilder {
    private var offsets: [Int64] = []
    private var lines: [UInt32] = []
    private var hashes: [UInt32] = []
    /// False once a line number does not fit the format (over 4 billion lines): nothing is written then.
    private var fits = true

    public init() {}

    /// Notes one event of the read (its `ref` is its line's offset, its `seq` its line number).
    public mutating func add(_ e: StoreEvent) {
        guard e.seq > 0, e.seq <= Int64(UInt32.max), e.ref >= 0 else { fits = false; return }
        offsets.append(e.ref)
        lines.append(UInt32(e.seq))
        hashes.append(JournalTokenIndex.hash(e.token))
    }

    /// Writes the checkpoint of the journal at `path`, read to `covered` (`lines` lines, `malformed` of them
    /// malformed, the first being `firstMalformed`), into `folder`. Throws a one-line reason when it cannot.
    public func write(journal path: String, covered: Int64, lines lineCount: Int64, malformed: Int,
                      firstMalformed: MalformedEntry?, folder: String) throws {
        guard fits else { throw StoreError.usage("too many lines for a checkpoint") }
        let file = try JournalFile(openForReading: path)
        guard file.size() >= covered else { throw StoreError.usage("the journal changed while it was read") }
        let headLength = Int(min(Int64(JournalTokenIndex.headLimit), covered))
        guard let headHash = JournalTokenIndex.headHash(file, length: headLength) else {
            throw StoreError.usage("the journal changed while it was read")
        }
        // A counting sort by bucket: each bucket's entries stay in file order.
        let shift = UInt32(32 - JournalTokenIndex.bucketBits)
        var start = [UInt32](repeating: 0, count: JournalTokenIndex.buckets + 1)
        for h in hashes { start[Int(h >> shift) + 1] += 1 }
        for b in 0..<JournalTokenIndex.buckets { start[b + 1] += start[b] }
        var out = ByteWriter()
        out.bytes += JournalTokenIndex.magic
        out.bytes.append(JournalTokenIndex.version)
        for v in [file.identity.device, file.identity.inode, UInt64(headLength), headHash, UInt64(covered),
                  UInt64(lineCount), UInt64(malformed), UInt64(bitPattern: firstMalformed?.position ?? -1)] {
            out.u64(v)
        }
        let reason = Array((firstMalformed?.reason ?? "").utf8.prefix(1000))
        out.u32(UInt32(reason.count))
        out.bytes += reason
        out.u64(UInt64(hashes.count))
        start.forEach { out.u32($0) }
        let checksumsAt = out.bytes.count
        out.bytes += repeatElement(0, count: 8 * JournalTokenIndex.buckets + 8)
        let entriesAt = out.bytes.count
        out.bytes += repeatElement(0, count: JournalTokenIndex.entrySize * hashes.count)
        var next = Array(start.dropLast())
        out.bytes.withUnsafeMutableBytes { b in
            for i in hashes.indices {
                let bucket = Int(hashes[i] >> shift)
                let at = entriesAt + JournalTokenIndex.entrySize * Int(next[bucket])
                next[bucket] += 1
                b.storeBytes(of: UInt64(offsets[i]).littleEndian, toByteOffset: at, as: UInt64.self)
                b.storeBytes(of: lines[i].littleEndian, toByteOffset: at + 8, as: UInt32.self)
                b.storeBytes(of: hashes[i].littleEndian, toByteOffset: at + 12, as: UInt32.self)
            }
            for bucket in 0..<JournalTokenIndex.buckets {
                let from = entriesAt + JournalTokenIndex.entrySize * Int(start[bucket])
                let to = entriesAt + JournalTokenIndex.entrySize * Int(start[bucket + 1])
                let sum = CacheFolder.checksum(UnsafeRawBufferPointer(rebasing: b[from..<to]))
                b.storeBytes(of: sum.littleEndian, toByteOffset: checksumsAt + 8 * bucket, as: UInt64.self)
            }
            let headerEnd = entriesAt - 8
            let sum = CacheFolder.checksum(UnsafeRawBufferPointer(rebasing: b[0..<headerEnd]))
            b.storeBytes(of: sum.littleEndian, toByteOffset: headerEnd, as: UInt64.self)
        }
        try CacheFolder.make(folder)
        try CacheFolder.writeAtomically(out.bytes, to: folder + "/" + JournalTokenIndex.fileName(forJournal: path))
    }
}
