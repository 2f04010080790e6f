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
        let temp = path + ".tmp.\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw StoreError.io(path: temp, why: "cannot write: " + String(cString: strerror(errno))) }
        var failed: String?
        for bytes in parts where failed == nil {
            bytes.withUnsafeBytes { b in
                guard var p = b.baseAddress else { return }
                var left = b.count
                while left > 0 {
                    let n = write(fd, p, left)
                    if n < 0 {
                        if errno == EINTR { continue }
                        failed = String(cString: strerror(errno))
                        return
                    }
                    p += n
                    left -= n
                }
            }
        }
        if failed == nil && fchmod(fd, 0o600) != 0 { failed = String(cString: strerror(errno)) }
        close(fd)
        if failed == nil && rename(temp, path) != 0 { failed = String(cString: strerror(errno)) }
        if let failed {
            unlink(temp)
            throw StoreError.io(path: path, why: "cannot write: " + failed)
        }
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
