import Foundation
import IdemCore
#if canImport(Glibc)
import Glibc
#endif

/// Reads a journal (JSON Lines, one event a line) from the start and follows it as it grows, as `tail -F` does.
///
/// The reader owns one read-only file descriptor and reads with `pread` from a saved offset in large chunks; the
/// complete lines of each chunk are decoded as one block on all cores (`BlockDecoder`) and handed on in order. A line
/// without its `\n` yet is held back until the rest arrives. A malformed line is reported with its line number and
/// skipped. Once a poll, before reading on, and again at the end of what it read, it checks which file it follows,
/// as lnav does: when the file shrank below what was read, or no longer starts with the first line read from it (a
/// truncate-and-refill faster than the polls, same inode, size past the old offset), it starts again from 0; when
/// the path names another file (device and inode: a rotation) it finishes the old one through the descriptor still
/// open on it, to its end and until no writer holds the writers' lock on it, then opens the new one. Both leave a
/// notice. Each event's `seq` is its 1-based line number in its file and `ref` the byte offset of the line's start.
///
/// `detail(for:)` finds a token's lines again through a compact per-token chain of line offsets
/// (`TokenChainIndex`), so opening a token never rescans the file.
public final class JournalReader: EventReader {
    public let location: StoreLocation
    public var path: String { location.path }

    private(set) var file: JournalFile
    var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Unprocessed bytes are `buffer[start..<end]`; `buffer[0]` is at `bufferOffset` in the file.
    var start = 0
    var end = 0
    var bufferOffset: Int64 = 0
    var lineNumber: Int64 = 0
    private var decoder = EventLineDecoder()
    /// Decodes the complete lines of the buffer on all cores; they wait in `ready` to be handed on in order, from
    /// part `part`, its event `nextEvent` and skipped line `nextSkip` on.
    var blocks = BlockDecoder()
    var ready: [DecodedPart] = []
    var part = 0
    var nextEvent = 0
    var nextSkip = 0
    private var bodyDecoder = EventLineDecoder(decodeBodies: true)
    private var notices: [String] = []
    let sizeAtOpen: Int64
    /// How many times the file was found truncated and read again from the start.
    public private(set) var truncations = 0
    /// How many bytes the parallel block scan of a read that only folds took (`scanFolds`); the rest went through
    /// the chunked path.
    public internal(set) var bytesScanned: Int64 = 0

    /// The first line of the current file as read (with its `\n`, at most `headLimit` bytes): a file that no longer
    /// starts with it was truncated and written again.
    private var head: [UInt8] = []
    private var headComplete = false
    private static let headLimit = 1024
    /// `bufferOffset + end` at the last check of the file, so an idle poll checks once, not twice.
    private var checkedAt: Int64 = -1
    /// How long to wait after a rotation for a writer still holding the old file's lock (nanoseconds; 0: not at all).
    private let rotationGrace: UInt64
    /// When the current rotation was first seen (monotonic nanoseconds), while waiting for the old file's writers.
    private var rotationSeenAt: UInt64?
    /// The rotated copies of the journal beside it, and which of them were read or seen: one that was neither was made
    /// and renamed away between two looks, and is read before the new file.
    private var siblings: JournalSiblings
    /// The files to read next, in order, once the current one is finished (after a rotation).
    private var queue: [JournalFile] = []
    /// A file the reader does not move on from, rotated or not, and moves to after a rotation even if no look found
    /// it: the one a writer reading with it holds locked and appends to next (its catch-up must read its own lines).
    var hold: JournalFile?

    var chains: TokenChainIndex?
    /// Whether blocks are decoded into `FoldEvent`s (`pollFolds`) rather than `StoreEvent`s.
    var foldsOnly = false
    /// The open file of each generation still readable by `detail` (nil once truncated or retired).
    private var generations: [JournalFile?] = []
    private static let keptGenerations = 4

    /// Opens `path` read-only. `indexTokens` keeps the per-token chains `detail(for:)` needs (the writer's catch-up
    /// reader does without). After a rotation the reader stays on the old file, up to `rotationGrace` seconds, while
    /// a writer holds its lock (0: moves on once it has read the old file to its end). Throws `StoreError.notFound`
    /// when there is no such file, `.notAStore` for a directory, `.io` for a FIFO or device and for a file with
    /// lines but not one event (`JournalCheck`).
    public init(path: String, chunkSize: Int = 4 << 20, indexTokens: Bool = true, rotationGrace: Double = 2) throws {
        location = JournalDriver.location(path)
        self.rotationGrace = UInt64(max(0, rotationGrace) * 1e9)
        file = try JournalFile(openForReading: path)
        try JournalCheck.check(file)
        sizeAtOpen = file.size()
        capacity = max(4096, chunkSize)
        buffer = .allocate(capacity: capacity)
        chains = indexTokens ? TokenChainIndex() : nil
        generations = [file]
        siblings = JournalSiblings(of: path, reading: file.identity)
    }

    deinit {
        buffer.deallocate()
    }

    /// Starts at `offset`, the start of line `lines + 1` (before the first poll, without the token chains): the
    /// lines before it were folded from a checkpoint.
    public func resume(at offset: Int64, lines: Int64) {
        (bufferOffset, start, end, lineNumber) = (offset, 0, 0, lines)
        head = file.head(limit: JournalReader.headLimit)
        headComplete = head.last == 10 || head.count == JournalReader.headLimit
    }

    /// Stops keeping the per-token chains (before the first poll): for a one-shot read that never opens a token
    /// (`stats`, `list`), it saves 12 bytes an event and the reading thread's table lookups. `detail` then throws.
    public func dropTokenIndex() { chains = nil }

    /// Whether it keeps the per-token chains `detail(for:)` needs (a read that only folds needs none: `pollFolds`).
    public var keepsTokenIndex: Bool { chains != nil }

    /// The file offset up to which every line has been read and handed on.
    public var offset: Int64 {
        // The next line not handed on: in the current part, or a later one (a poll whose limit fell on a part's
        // last event leaves that part where it is, used up).
        var (p, e, k) = (part, nextEvent, nextSkip)
        while p < ready.count {
            let d = ready[p]
            if k < d.skips.count && d.skips[k].before == e { return d.skips[k].at }
            if e < d.count { return d.ref(e) }
            (p, e, k) = (p + 1, 0, 0)
        }
        return bufferOffset + Int64(start)
    }

    /// Bytes read but not handed on yet: after a poll its limit did not cut short, a last line still waiting for its
    /// `\n`.
    public var pendingBytes: Int { Int(bufferOffset + Int64(end) - offset) }

    public var progress: LoadProgress { LoadProgress(done: offset, total: sizeAtOpen) }

    public func drainNotices() -> [String] {
        defer { notices.removeAll() }
        return notices
    }

    public func poll(limit: Int, _ sink: (StoreEvent) -> Void, malformed: (MalformedEntry) -> Void) throws -> Int {
        try poll(limit: limit, sink, malformed, untilDecoded: false)
    }

    /// `poll`; with `untilDecoded`, it stops as soon as a block of lines is decoded and hands none of it on (the
    /// caller takes the parts whole: `pollBatch`).
    func poll(limit: Int, _ sink: (StoreEvent) -> Void, _ malformed: (MalformedEntry) -> Void,
              untilDecoded: Bool) throws -> Int {
        var count = 0
        var checked = false
        while count < limit {
            count += processLines(limit: limit - count, sink, malformed, hand: !untilDecoded)
            if count >= limit || (untilDecoded && part < ready.count) { break }
            // Before reading on (once a poll), and at the end of the file unless nothing was read since the check.
            if !checked {
                checked = true
                if try checkFile(sink, malformed) { continue }
            }
            if try fill() > 0 { continue }
            if bufferOffset + Int64(end) != checkedAt, try checkFile(sink, malformed) { continue }
            break
        }
        return count
    }

    /// Moves the held-back partial line to the front and reads more after it; returns the bytes read.
    private func fill() throws -> Int {
        if start > 0 {
            let pending = end - start
            if pending > 0 { memmove(buffer, buffer + start, pending) }
            bufferOffset += Int64(start)
            start = 0
            end = pending
        }
        if end == capacity {
            // One line longer than the buffer: make room for it.
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
            bigger.update(from: buffer, count: end)
            buffer.deallocate()
            buffer = bigger
            capacity *= 2
        }
        let n = try file.read(into: buffer + end, count: capacity - end, at: bufferOffset + Int64(end))
        end += n
        if !headComplete && bufferOffset == 0 && n > 0 { keepHead() }
        return n
    }

    /// Keeps the first line read from the file (or its first `headLimit` bytes) to recognise the file by.
    private func keepHead() {
        let upTo = min(end, JournalReader.headLimit)
        if let nl = memchr(buffer, 10, upTo) {
            let length = buffer.distance(to: nl.assumingMemoryBound(to: UInt8.self)) + 1
            head = Array(UnsafeBufferPointer(start: buffer, count: length))
            headComplete = true
        } else {
            head = Array(UnsafeBufferPointer(start: buffer, count: upTo))
            headComplete = upTo == JournalReader.headLimit
        }
    }

    /// Checks which file the path names and what the open one holds now: starts again from 0 after a truncation
    /// (the file shorter than what was read, or another first line), or moves to the new file after a rotation once
    /// the old one is read to its end and no writer holds its lock. True when it did either, so the caller reads on.
    private func checkFile(_ sink: (StoreEvent) -> Void, _ malformed: (MalformedEntry) -> Void) throws -> Bool {
        let readTo = bufferOffset + Int64(end)
        checkedAt = readTo
        let size = file.size()
        let shrank = size < readTo
        if shrank || !file.starts(with: head) {
            let what = shrank ? "truncated (now \(size) bytes, read to \(readTo))"
                : "truncated and written again (its first line changed; now \(size) bytes, read to \(readTo))"
            notices.append("\(location.displayName) was \(what): reading it again from the start")
            generations[generations.count - 1] = nil
            truncations += 1
            startGeneration(file)
            return true
        }
        // More to read in this file: read it first, so an old file is finished before the new one.
        if size > readTo { return false }
        if file.identity == hold?.identity { return false }
        // A held reader goes to the writer's file whatever the path names now (it may name nothing this instant).
        if queue.isEmpty && hold == nil {
            guard let identity = JournalFile.identity(ofPath: path), identity != file.identity else {
                rotationSeenAt = nil
                return false
            }
        }
        if rotationGrace > 0 {
            // A writer that took the old file's lock before the rename may still append to it: wait for it.
            let now = DispatchTime.now().uptimeNanoseconds
            let seen = rotationSeenAt ?? now
            rotationSeenAt = seen
            if now - seen < rotationGrace && !file.noWriterHoldsLock() { return false }
            // Its last line may have landed between the size check and the lock.
            if file.size() > readTo { return true }
        }
        if queue.isEmpty {
            if let h = hold {
                queue = siblings.unread(before: h, current: head, limit: JournalReader.headLimit) + [h]
            } else {
                guard let next = try? JournalFile(openForReading: path) else { return false }
                queue = siblings.unread(before: next, current: head, limit: JournalReader.headLimit) + [next]
            }
        }
        let next = queue.removeFirst()
        // The old file is read to its end: a last line without its newline is handed on as it is.
        if end > start {
            var last = DecodedPart()
            BlockDecoder.line(buffer, start, end, bufferOffset, &decoder, &last)
            if let e = last.events.first {
                lineNumber += 1
                var e = e
                e.seq = lineNumber
                chains?.add(tenant: e.tenant, token: e.token, offset: e.ref)
                sink(e)
            } else {
                skipLine(last.skips.first?.reason, malformed)
            }
            start = end
        }
        let then = next.path == path ? "following the new file from its start"
            : "reading \((next.path as NSString).lastPathComponent) first, a rotated file not read yet"
        notices.append("\(location.displayName) was rotated (\(lineNumber) lines read from the old file): \(then)")
        siblings.read(next.identity, leaving: head)
        rotationSeenAt = nil
        file = next
        startGeneration(next)
        return true
    }

    /// Starts reading `f` from offset 0 as a new generation, retiring old ones beyond the few kept for `detail`.
    private func startGeneration(_ f: JournalFile) {
        ready.removeAll(keepingCapacity: true)
        (part, nextEvent, nextSkip) = (0, 0, 0)
        start = 0
        end = 0
        bufferOffset = 0
        lineNumber = 0
        head = []
        headComplete = false
        checkedAt = -1
        generations.append(f)
        chains?.startGeneration()
        let retire = generations.count - 1 - JournalReader.keptGenerations
        if retire >= 0 { generations[retire] = nil } // its descriptor closes with the last reference
    }

    /// Reads the line that starts at `offset` in the current file and decodes it with bodies.
    public func event(at offset: Int64) throws -> StoreEvent? {
        try event(in: file, at: offset, line: 0)
    }

    private func event(in f: JournalFile, at offset: Int64, line: Int64) throws -> StoreEvent? {
        let bytes = try f.line(at: offset)
        guard !bytes.isEmpty else { return nil }
        return bodyDecoder.decode(bytes, seq: line, ref: offset).event
    }

    public func detail(for key: TokenKey) throws -> TokenDetail {
        guard let chains else { throw StoreError.usage("this journal reader keeps no token index") }
        var timeline: [StoreEvent] = []
        for entry in chains.entries(tenant: key.tenant, token: key.token) {
            guard entry.generation < generations.count, let f = generations[entry.generation],
                  let e = try event(in: f, at: entry.offset, line: entry.line), e.key == key
            else { continue }
            timeline.append(e)
        }
        guard !timeline.isEmpty else { throw StoreError.unknownToken(key) }
        return TokenDetail(latestExecutionOf: key, in: timeline)
    }
}
