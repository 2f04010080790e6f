import Foundation
import IdemCore
#if canImport(Glibc)
import Glibc
#endif

/// A checkpoint of a journal's fold (the whole `Ledger`) in the cache folder, so a reopen folds only the lines
/// appended since.
///
/// Keyed as the token index is (device, inode, a hash of the first 64 KiB, the offset covered) and by the policy
/// that made it. The file, little-endian: "IDEMFLD" version(u8), device, inode, headLength, headHash, covered, lines,
/// retention ms, lock timeout ms, payload length, payload checksum (u64 each), header checksum (u64), then the
/// ledger's `encoded()` bytes.
public enum JournalFoldCheckpoint {
    static let magic: [UInt8] = Array("IDEMFLD".utf8)
    /// 2: the ledger holds every event's time (EventTimes), for `at:` and the histogram.
    static let version: UInt8 = 2
    static let headerSize = 8 + 8 * 10 + 8

    static func name(forJournal path: String, folder: String) -> String {
        folder + "/" + (JournalTokenIndex.fileName(forJournal: path) as NSString).deletingPathExtension + ".fold"
    }

    /// The ledger checkpointed for `path` and the offset and line count it covers; nil when there is none; throws
    /// a `JournalTokenIndex.Rejection` (and deletes the checkpoint) when it cannot be trusted.
    public static func read(journal path: String, policy: Policy, folder: String) throws
        -> (ledger: Ledger, covered: Int64, lines: Int64)? {
        let name = name(forJournal: path, folder: folder)
        guard let cp = try? JournalFile(openForReading: name) else { return nil }
        do {
            return try read(cp, journal: try JournalFile(openForReading: path), policy: policy)
        } catch let e as JournalTokenIndex.Rejection {
            unlink(name)
            throw e
        }
    }

    private static func read(_ cp: JournalFile, journal: JournalFile, policy: Policy) throws
        -> (ledger: Ledger, covered: Int64, lines: Int64) {
        typealias R = JournalTokenIndex.Rejection
        let corrupt = R(description: "the fold checkpoint is corrupt")
        guard let head = JournalTokenIndex.bytes(cp, at: 0, count: headerSize) else { throw corrupt }
        guard Array(head[0..<magic.count]) == magic else { throw corrupt }
        guard head[magic.count] == version else { throw R(description: "the fold checkpoint is of another version") }
        var r = ByteReader(bytes: head, at: 8)
        let v = (0..<10).map { _ in r.u64() }
        let sum = head.withUnsafeBytes { CacheFolder.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<(headerSize - 8)])) }
        guard r.u64() == sum else { throw corrupt }
        guard FileIdentity(device: v[0], inode: v[1]) == journal.identity else {
            throw R(description: "the fold checkpoint is of another file")
        }
        let (headLength, covered) = (Int64(v[2]), Int64(v[4]))
        guard journal.size() >= covered, headLength <= covered,
              JournalTokenIndex.headHash(journal, length: Int(headLength)) == v[3] else {
            throw R(description: "the fold checkpoint is stale (the journal was truncated or rewritten)")
        }
        guard Int64(bitPattern: v[6]) == policy.retention.ms, Int64(bitPattern: v[7]) == policy.lockTimeout.ms else {
            throw R(description: "the fold checkpoint was made with another retention or lock timeout")
        }
        guard v[8] < 1 << 40, let payload = JournalTokenIndex.bytes(cp, at: headerSize, count: Int(v[8])),
              payload.withUnsafeBytes({ CacheFolder.checksum($0) }) == v[9],
              let ledger = Ledger(decoding: payload, policy: policy) else { throw corrupt }
        return (ledger, covered, Int64(v[5]))
    }

    /// Writes `ledger` as the checkpoint of the journal at `path` read to `covered` (`lines` lines) into `folder`.
    public static func write(_ ledger: Ledger, journal path: String, covered: Int64, lines: Int64,
                             folder: String) throws {
        let file = try JournalFile(openForReading: path)
        let headLength = Int(min(Int64(JournalTokenIndex.headLimit), covered))
        guard file.size() >= covered, let headHash = JournalTokenIndex.headHash(file, length: headLength) else {
            throw StoreError.usage("the journal changed while it was read")
        }
        let payload = ledger.encoded()
        var w = ByteWriter()
        w.bytes += magic
        w.u8(version)
        for x in [file.identity.device, file.identity.inode, UInt64(headLength), headHash, UInt64(covered),
                  UInt64(lines), UInt64(bitPattern: ledger.policy.retention.ms),
                  UInt64(bitPattern: ledger.policy.lockTimeout.ms), UInt64(payload.count),
                  payload.withUnsafeBytes { CacheFolder.checksum($0) }] {
            w.u64(x)
        }
        w.u64(w.bytes.withUnsafeBytes { CacheFolder.checksum($0) })
        try CacheFolder.make(folder)
        try CacheFolder.writeAtomically([w.bytes, payload], to: name(forJournal: path, folder: folder))
    }
}
