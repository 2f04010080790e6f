#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import IdemCore

/// `body:TEXT` on a journal: a scan of the file's bytes (in 4 MiB reads, bodies never held beyond the read), each
/// line holding the needle's raw run decoded and its request and response bodies checked.
///
/// It opens the file itself, apart from the dashboard's `JournalReader`: the scan runs on a worker while the
/// reader follows the file. Lines the writer has not finished (no newline yet) are left out.
public struct JournalBodySearch: BodySearcher {
    public let path: String
    var readSize = 4 << 20

    public init(path: String) { self.path = path }

    public func search(_ needle: String, progress: (Int64, Int64) -> Bool) throws -> Set<TokenKey> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError.io(path: path, why: String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        let total = fstat(fd, &st) == 0 ? Int64(st.st_size) : 0
        let run = BodySearch.rawRun(needle)
        let probe = (run.isEmpty ? Array("body".utf8) : run).map(BodySearch.lower)
        let folded = Array(needle.lowercased().utf8)
        var decoder = EventLineDecoder(decodeBodies: true)
        var found: Set<TokenKey> = []
        var buffer = [UInt8](repeating: 0, count: readSize)
        var carry = 0  // bytes of an unfinished line at the buffer's start
        var done: Int64 = 0
        guard progress(0, total) else { throw BodySearchCancelled() }
        while true {
            if carry == buffer.count { buffer += [UInt8](repeating: 0, count: buffer.count) }  // a line over 4 MiB
            let n = buffer.withUnsafeMutableBufferPointer { b in
                read(fd, b.baseAddress.map { $0 + carry }, b.count - carry)
            }
            guard n > 0 else { break }
            done += Int64(n)
            let filled = carry + n
            buffer.withUnsafeMutableBufferPointer { b in
                guard let base = b.baseAddress else { return }
                // Only whole lines: up to the last newline.
                var end = filled
                while end > 0, base[end - 1] != 10 { end -= 1 }
                var at = 0
                while let hit = BodySearch.find(base, end, probe, probe.count, from: at) {
                    var start = hit
                    while start > 0, base[start - 1] != 10 { start -= 1 }
                    var stop = hit
                    while stop < end, base[stop] != 10 { stop += 1 }
                    if case .event(let e) = decoder.decode(UnsafeBufferPointer(start: base + start, count: stop - start)),
                       BodySearch.contains(e.request?.body, folded) || BodySearch.contains(e.response?.body, folded) {
                        found.insert(TokenKey(tenant: e.tenant, token: e.token))
                    }
                    at = stop + 1
                }
                carry = filled - end
                if carry > 0, end > 0 {
                    // Move the unfinished line to the front.
                    memmove(base, base + end, carry)
                }
            }
            guard progress(done, total) else { throw BodySearchCancelled() }
        }
        return found
    }
}
