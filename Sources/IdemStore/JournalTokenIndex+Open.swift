import Foundation
import IdemCore
#if canImport(Glibc)
import Glibc
#endif

extension JournalTokenIndex {
    /// The checkpoint of `journal` in `folder`, validated against it: nil when there is none; a `Rejection` (stale,
    /// foreign, another version, corrupt) when there is one that must not be trusted.
    static func open(for journal: JournalFile, at name: String) throws(Rejection) -> (JournalTokenIndex, JournalFile)? {
        guard let cp = try? JournalFile(openForReading: name) else { return nil }
        let index = try read(cp)
        try index.check(against: journal)
        return (index, cp)
    }

    /// Reads and verifies the header of the checkpoint file `cp`.
    private static func read(_ cp: JournalFile) throws(Rejection) -> JournalTokenIndex {
        let corrupt = Rejection(description: "the token index checkpoint is corrupt")
        let fixed = magic.count + 1 + 8 * 8 + 4
        guard let head = bytes(cp, at: 0, count: fixed) else { throw corrupt }
        guard Array(head[0..<magic.count]) == magic else { throw corrupt }
        guard head[magic.count] == version else {
            throw Rejection(description: "the token index checkpoint is of another version")
        }
        var r = ByteReader(bytes: head, at: magic.count + 1)
        let v = (0..<8).map { _ in r.u64() }
        let reasonLength = Int(r.u32())
        guard reasonLength <= 1000 else { throw corrupt }
        let rest = reasonLength + 8 + 4 * (buckets + 1) + 8 * buckets + 8
        guard let tail = bytes(cp, at: fixed, count: rest) else { throw corrupt }
        let header = head + tail
        let sum = header.withUnsafeBytes { CacheFolder.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<(header.count - 8)])) }
        r = ByteReader(bytes: header, at: header.count - 8)
        guard r.u64() == sum else { throw corrupt }
        r = ByteReader(bytes: header, at: fixed)
        let reason = String(decoding: header[fixed..<(fixed + reasonLength)], as: UTF8.self)
        r.at += reasonLength
        let count = r.u64()
        let starts = (0...buckets).map { _ in r.u32() }
        let sums = (0..<buckets).map { _ in r.u64() }
        guard starts.last.map(UInt64.init) == count, zip(starts, starts.dropFirst()).allSatisfy({ $0 <= $1 }) else {
            throw corrupt
        }
        let first = Int64(bitPattern: v[7])
        return JournalTokenIndex(
            identity: FileIdentity(device: v[0], inode: v[1]), headLength: Int64(v[2]), headHash: v[3],
            covered: Int64(v[4]), lines: Int64(v[5]), malformedCount: Int64(v[6]),
            firstMalformed: first >= 0 ? MalformedEntry(position: first, reason: reason) : nil,
            bucketStart: starts, bucketChecksum: sums, entriesAt: header.count)
    }

    /// Throws unless this checkpoint was made of `journal` as it still is up to `covered`.
    private func check(against journal: JournalFile) throws(Rejection) {
        guard identity == journal.identity else {
            throw Rejection(description: "the token index checkpoint is of another file")
        }
        guard journal.size() >= covered, headLength <= covered,
              JournalTokenIndex.headHash(journal, length: Int(headLength)) == headHash else {
            throw Rejection(description: "the token index checkpoint is stale (the journal was truncated or rewritten)")
        }
    }

    /// The positions (offset, line number) of the indexed lines that may hold `token`, in file order.
    func positions(of token: String, in cp: JournalFile) throws(Rejection) -> [(offset: Int64, line: Int64)] {
        let h = JournalTokenIndex.hash(token)
        let bucket = Int(h >> UInt32(32 - JournalTokenIndex.bucketBits))
        let from = Int(bucketStart[bucket]), to = Int(bucketStart[bucket + 1])
        let size = JournalTokenIndex.entrySize
        guard let raw = JournalTokenIndex.bytes(cp, at: entriesAt + size * from, count: size * (to - from)),
              raw.withUnsafeBytes({ CacheFolder.checksum($0) }) == bucketChecksum[bucket] else {
            throw Rejection(description: "the token index checkpoint is corrupt")
        }
        var r = ByteReader(bytes: raw, at: 0)
        var out: [(offset: Int64, line: Int64)] = []
        for _ in from..<to {
            let offset = Int64(bitPattern: r.u64()), line = Int64(r.u32()), hash = r.u32()
            if hash == h { out.append((offset, line)) }
        }
        return out
    }

    /// Exactly `count` bytes of `f` at `offset`, or nil when the file is shorter.
    static func bytes(_ f: JournalFile, at offset: Int, count: Int) -> [UInt8]? {
        guard count > 0 else { return [] }
        var complete = false
        // Not zero-filled first: every byte is read into (a short read gives nil and the array is dropped).
        let out = [UInt8](unsafeUninitializedCapacity: count) { b, initialized in
            var got = 0
            while got < count, let base = b.baseAddress {
                let n = (try? f.read(into: base + got, count: count - got, at: Int64(offset + got))) ?? 0
                if n <= 0 { break }
                got += n
            }
            complete = got == count
            initialized = got
        }
        return complete ? out : nil
    }
}
