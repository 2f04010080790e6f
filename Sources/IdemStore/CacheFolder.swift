import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The user's cache folder for idemtop: `$XDG_CACHE_HOME/idemtop`, else `~/.cache/idemtop`.
///
/// What is kept there can always be rebuilt from the stores; the folder is made mode 0700 and its files 0600, as
/// they tell which tokens a store holds.
public enum CacheFolder {
    /// The folder's path, or nil when neither `XDG_CACHE_HOME` nor `HOME` says where (a relative `XDG_CACHE_HOME`
    /// is ignored, as the XDG Base Directory specification says).
    public static func path(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return xdg + "/idemtop" }
        guard let home = environment["HOME"], home.hasPrefix("/") else { return nil }
        return home + "/.cache/idemtop"
    }

    /// Makes `path` (and its parents) if missing and sets it to mode 0700.
    static func make(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw StoreError.io(path: path, why: "cannot make the cache folder")
        }
        guard chmod(path, 0o700) == 0 else {
            throw StoreError.io(path: path, why: "cannot set the cache folder's mode: " + String(cString: strerror(errno)))
        }
    }

    /// Writes `bytes` to `path` atomically: a new 0600 file beside it, renamed over it.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        try writeAtomically([bytes], to: path)
    }

    /// Writes `parts` one after the other to `path` atomically (no copy of them joined).
    static func writeAtomically(_ parts: [[UInt8]], to path: String) throws {
        try writeAtomically(to: path) { out in
            for bytes in parts { try bytes.withUnsafeBytes { try out.write($0) } }
        }
    }

    /// Writes what `fill` hands its sink to `path` atomically: into a new 0600 file beside it (its name ends in
    /// `.tmp.PID`), renamed over `path` once complete; on any error the new file is removed and `path` is as it was.
    static func writeAtomically(to path: String, _ fill: (inout FileSink) throws -> Void) throws {
        let temp = path + ".tmp.\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw StoreError.io(path: temp, why: "cannot write: " + String(cString: strerror(errno))) }
        var sink = FileSink(fd: fd)
        var failed: String?
        do { try fill(&sink) } catch let e as FileSink.Failure { failed = e.why } catch {
            close(fd)
            unlink(temp)
            throw error
        }
        if failed == nil && fchmod(fd, 0o600) != 0 { failed = String(cString: strerror(errno)) }
        close(fd)
        if failed == nil && rename(temp, path) != 0 { failed = String(cString: strerror(errno)) }
        if let failed {
            unlink(temp)
            throw StoreError.io(path: path, why: "cannot write: " + failed)
        }
    }

    /// Where `writeAtomically(to:_:)` sends bytes: straight to the new file.
    struct FileSink {
        struct Failure: Error { var why: String }
        let fd: Int32
        private(set) var written = 0

        init(fd: Int32) { self.fd = fd }

        mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
            guard var p = bytes.baseAddress else { return }
            var left = bytes.count
            while left > 0 {
                let n = Glibc.write(fd, p, left)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw Failure(why: String(cString: strerror(errno)))
                }
                p += n
                left -= n
            }
            written += bytes.count
        }
    }

    /// A 64-bit checksum of one chunk of a checkpoint, over four independent lanes of 8 bytes (so it runs at
    /// memory speed, not at one multiply's latency per word), seeded with the chunk's number and a key: a chunk
    /// moved, cut or with any bit flipped gives another sum.
    static func chunkChecksum(_ bytes: UnsafeRawBufferPointer, index: Int, key: UInt64) -> UInt64 {
        let m: UInt64 = 0x9E37_79B9_7F4A_7C15
        let s = key ^ (UInt64(index) &* 0xD6E8_FEB8_6659_FD93) ^ UInt64(bytes.count)
        var a = s ^ 0x243F_6A88_85A3_08D3, b = s ^ 0x1319_8A2E_0370_7344
        var c = s ^ 0xA409_3822_299F_31D0, d = s ^ 0x082E_FA98_EC4E_6C89
        guard let p = bytes.baseAddress else { return checksum(bytes, seed: s) }
        var i = 0
        @inline(__always) func word(_ at: Int) -> UInt64 { UInt64(littleEndian: p.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
        while i + 32 <= bytes.count {
            a = (a ^ word(i)) &* m; a ^= a >> 29
            b = (b ^ word(i + 8)) &* m; b ^= b >> 29
            c = (c ^ word(i + 16)) &* m; c ^= c >> 29
            d = (d ^ word(i + 24)) &* m; d ^= d >> 29
            i += 32
        }
        let h = a ^ (b &* 0xFF51_AFD7_ED55_8CCD) ^ (c &* 0xC4CE_B9FE_1A85_EC53) ^ (d &* 0x2545_F491_4F6C_DD1D)
        // The last bytes (fewer than 32) and the lanes' mix go through the one-lane sum.
        return checksum(UnsafeRawBufferPointer(rebasing: bytes[i...]), seed: h)
    }

    /// A 64-bit checksum of `bytes` (eight bytes at a time, multiply and shift): catches truncation and bit flips.
    static func checksum(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0x243F_6A88_85A3_08D3) -> UInt64 {
        var h = seed ^ UInt64(bytes.count)
        guard let p = bytes.baseAddress else { return h }
        var i = 0
        while i + 8 <= bytes.count {
            h = (h ^ p.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
            h ^= h >> 29
            i += 8
        }
        while i < bytes.count {
            h = (h ^ UInt64(p.load(fromByteOffset: i, as: UInt8.self))) &* 0x100_0000_01B3
            i += 1
        }
        h ^= h >> 33
        h = h &* 0xFF51_AFD7_ED55_8CCD
        return h ^ (h >> 33)
    }
}
