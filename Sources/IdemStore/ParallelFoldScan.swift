import Foundation
import IdemCore

/// How a read that only folds takes the bulk of a journal (`JournalReader.scanFolds`): in blocks of `blockSize`
/// bytes, each read and decoded whole by one of `workers` threads, when at least `threshold` bytes wait.
public struct FoldScanOptions: Sendable {
    public var workers: Int
    public var blockSize: Int
    public var threshold: Int64

    public init(workers: Int = ProcessInfo.processInfo.activeProcessorCount, blockSize: Int = 1 << 20,
                threshold: Int64 = 32 << 20) {
        self.workers = max(1, min(8, workers))
        self.blockSize = max(64, blockSize)
        self.threshold = max(0, threshold)
    }

    public static let standard = FoldScanOptions()
}

extension JournalReader {
    /// Reads the lines from `offset` to the file's size at open into fold events, handing each block's to `body` in
    /// file order with its malformed lines, numbered as `pollFolds` numbers them; the reader then stands after the
    /// last complete line it read (`resume(at:lines:)`), and `pollFolds` goes on from there. Does nothing when fewer
    /// than `options.threshold` bytes wait, or the reader holds lines read and not handed on. Returns the offset it
    /// read to (where it started when it did nothing).
    ///
    /// Why not `pollFolds` all the way: that path reads a chunk, cuts it into one part a core and waits for every part
    /// before it reads the next, so a part the folding thread kept off its core left the other core idle at each
    /// chunk's end (perf on the 1M journal: the two cores busy about three quarters of the time). Here every worker
    /// claims the next block whole, reads it with its own `pread` and decodes it on its own; only the fold waits, in
    /// order. A block's lines are those that start in it: it reads from one byte before its start (a line starts there
    /// when that byte is a `\n`) and past its end to finish its last line. Each block says where its first line starts
    /// and where its last ends: the fold checks that they follow on from the block before, and stops at the first that
    /// does not (the file rewritten under the read) or that read short (truncated), handing on from the last line it
    /// trusts, where the reader's own checks of the file take over.
    @discardableResult
    func scanFolds(_ options: FoldScanOptions = .standard,
                   _ body: (FoldPart, [MalformedEntry]) throws -> Void) throws -> Int64 {
        precondition(chains == nil, "JournalReader.scanFolds: a reader that keeps token chains needs StoreEvents")
        let from = offset
        guard part >= ready.count, pendingBytes == 0, sizeAtOpen - from >= max(1, options.threshold) else {
            return from
        }
        let scan = FoldScan(file: file, from: from, to: sizeAtOpen, block: options.blockSize,
                            window: options.workers * 4)
        let group = DispatchGroup()
        for _ in 0..<options.workers {
            group.enter()
            let thread = Thread {
                scan.work()
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        var next = from
        defer {
            scan.close()
            group.wait()
            resume(at: next, lines: lineNumber)
            bytesScanned += next - from
        }
        var block = 0
        while let done = try scan.take(block) {
            if let first = done.first {
                // Its lines must start where the last block's ended (or the read went wrong: stop before it).
                guard first == next else { break }
                var malformed: [MalformedEntry] = []
                var numbered = 0
                for skip in done.part.skips {
                    lineNumber += Int64(skip.before - numbered)
                    numbered = skip.before
                    skipLine(skip.reason) { malformed.append($0) }
                }
                lineNumber += Int64(done.part.folds.events.count - numbered)
                next = done.end
                if !done.part.folds.events.isEmpty || !malformed.isEmpty { try body(done.part.folds, malformed) }
            }
            if done.short { break }
            block += 1
        }
        return next
    }
}

/// One block read and decoded by a `FoldScan` worker.
struct ScannedBlock {
    var part = DecodedPart()
    /// The file offset of its first line's start; nil when no line starts in it (one longer line crosses it).
    var first: Int64?
    /// The file offset after its last line (the next line's start).
    var end: Int64 = 0
    /// Whether the file held fewer bytes than its size at open promised (truncated during the read).
    var short = false
}

/// The shared state of one `scanFolds`: the blocks claimed and those decoded, waiting to be folded in order.
///
/// `@unchecked Sendable`: `claimed`, `taken`, `closed` and `done` are touched only while holding `condition`; `file`
/// is only read with `pread` (safe on one descriptor from several threads); each worker's buffer and decoder are
/// its own.
private final class FoldScan: @unchecked Sendable {
    let file: JournalFile
    let from: Int64
    let to: Int64
    let block: Int
    /// How many blocks may be claimed past the one the fold waits for (bounds the memory in flight).
    let window: Int
    private let condition = NSCondition()
    private var claimed = 0
    private var taken = 0
    private var closed = false
    private var done: [Int: Result<ScannedBlock, any Error>] = [:]

    init(file: JournalFile, from: Int64, to: Int64, block: Int, window: Int) {
        (self.file, self.from, self.to, self.block, self.window) = (file, from, to, block, window)
    }

    /// The number of blocks the range holds.
    var blocks: Int { Int((to - from + Int64(block) - 1) / Int64(block)) }

    /// A worker: claims the next block, reads and decodes it, leaves it for the fold; until every block is claimed
    /// or the fold has stopped.
    func work() {
        var decoder = EventLineDecoder()
        var buffer = ScanBuffer()
        defer { buffer.free() }
        while true {
            condition.lock()
            while claimed - taken >= window && !closed { condition.wait() }
            let b = claimed
            if closed || b >= blocks {
                condition.unlock()
                return
            }
            claimed += 1
            condition.unlock()
            let result = Result { try read(b, &buffer, &decoder) }
            condition.lock()
            done[b] = result
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Waits for block `b`; nil past the last one.
    func take(_ b: Int) throws -> ScannedBlock? {
        guard b < blocks else { return nil }
        condition.lock()
        defer { condition.unlock() }
        while done[b] == nil { condition.wait() }
        let result = done.removeValue(forKey: b)!
        taken = b + 1
        condition.broadcast()
        return try result.get()
    }

    /// The fold is done (or failed): workers stop claiming blocks.
    func close() {
        condition.lock()
        closed = true
        done.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    /// Reads block `b` and decodes the lines that start in it.
    private func read(_ b: Int, _ buffer: inout ScanBuffer, _ decoder: inout EventLineDecoder) throws -> ScannedBlock {
        let start = from + Int64(b) * Int64(block)
        let stop = min(start + Int64(block), to)
        // From the byte before the block: a line starts at `start` when that byte is a `\n`.
        let at = b == 0 ? start : start - 1
        var out = ScannedBlock()
        var have = try buffer.fill(file, at: at, count: Int(min(stop + 4096, to) - at), short: &out.short)
        var line = 0
        if b > 0 {
            guard let nl = memchr(buffer.base, 10, have) else {
                out.end = at + Int64(have)
                return out
            }
            line = buffer.base.distance(to: nl.assumingMemoryBound(to: UInt8.self)) + 1
        }
        let limit = Int(stop - at)
        guard line < limit else {
            out.end = at + Int64(line)
            return out
        }
        out.first = at + Int64(line)
        out.part.folds.reserveCapacity(events: limit / 256 + 16, bytes: limit / 4)
        while line < limit {
            let nl: Int
            if let p = memchr(buffer.base + line, 10, have - line) {
                nl = buffer.base.distance(to: p.assumingMemoryBound(to: UInt8.self))
            } else if !out.short && at + Int64(have) < to {
                // The block's last line goes on past what was read: read on.
                have += try buffer.fill(file, at: at + Int64(have), count: Int(min(Int64(have), to - at - Int64(have))),
                                        keeping: have, short: &out.short)
                continue
            } else {
                // A last line without its `\n` (yet): left for the reader, which holds such a line back.
                break
            }
            BlockDecoder.line(UnsafePointer(buffer.base), line, nl, at, &decoder, &out.part, folds: true)
            line = nl + 1
        }
        out.end = at + Int64(line)
        return out
    }
}

/// A worker's read buffer.
private struct ScanBuffer {
    private(set) var base = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
    private var capacity = 1

    /// Reads `count` bytes from `offset` after the first `keeping` bytes (growing the buffer to hold them); returns
    /// how many it read, setting `short` when the file ended first.
    mutating func fill(_ file: JournalFile, at offset: Int64, count: Int, keeping: Int = 0,
                       short: inout Bool) throws -> Int {
        if keeping + count > capacity {
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: keeping + count)
            bigger.update(from: base, count: keeping)
            base.deallocate()
            (base, capacity) = (bigger, keeping + count)
        }
        var got = 0
        while got < count {
            let n = try file.read(into: base + keeping + got, count: count - got, at: offset + Int64(got))
            if n == 0 {
                short = true
                break
            }
            got += n
        }
        return got
    }

    func free() { base.deallocate() }
}
