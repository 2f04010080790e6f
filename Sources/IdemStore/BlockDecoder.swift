import Dispatch
import Foundation
import IdemCore

/// The decoded lines of one part of a block, in file order: its events, and the lines that hold none (empty or
/// malformed) with where they fall among the events.
///
/// Events and the other lines are kept apart (not one array of an enum) so the reader hands each event on with one
/// copy: at millions of events, every extra copy of a `StoreEvent` is a few more atomic reference counts.
struct DecodedPart {
    var events: [StoreEvent] = []
    /// The events as `FoldEvent`s instead, when the block was decoded for a read that only folds (`events` is then
    /// empty).
    var folds = FoldPart()
    var skips: [SkippedLine] = []

    /// How many events it holds, of either kind.
    var count: Int { events.count + folds.events.count }

    /// The file offset of its event `i`.
    func ref(_ i: Int) -> Int64 { events.isEmpty ? folds.events[i].ref : events[i].ref }
}

/// A line that holds no event: empty (`reason` nil) or malformed.
struct SkippedLine {
    /// How many of the part's events come before it.
    var before: Int
    /// The file offset where the line starts.
    var at: Int64
    var reason: String?
}

/// Decodes a block of complete journal lines on all cores at once, and hands the lines back in file order.
///
/// The block is cut into one part per worker at line boundaries (a cut lands on the byte after a `\n`, found with
/// `memchr` from the even split point); each part is decoded by its own `EventLineDecoder` (a value with a cache, so
/// one per worker), the first on the calling thread and the others on Dispatch's pool. Line numbers are not known
/// inside a part (the parts before it are being counted at the same time): the reader numbers the lines as it hands
/// them on, in order, so `seq` and malformed positions stay what a one-thread read gives. The fold stays on one
/// thread (it is order-dependent); only decoding, most of a load's work, is spread.
struct BlockDecoder {
    private var decoders: [EventLineDecoder]
    var workers: Int { decoders.count }

    /// Blocks smaller than this are decoded on the calling thread: handing work to another thread costs more than
    /// a few lines (a live tail reads a few lines a poll). Tests set it to 0 to split every block.
    var parallelThreshold = 256 << 10

    init(workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        decoders = Array(repeating: EventLineDecoder(), count: max(1, min(8, workers)))
    }

    /// Decodes `base[0..<count]`, whole lines each ending with `\n`; `fileOffset` is the file offset of `base[0]`.
    /// Returns one part per worker used, in file order; with `folds`, their events are `FoldEvent`s.
    mutating func decode(_ base: UnsafePointer<UInt8>, count: Int, fileOffset: Int64, folds: Bool = false) -> [DecodedPart] {
        let parts = count >= parallelThreshold ? min(workers, max(1, count / 64)) : 1
        if parts == 1 {
            var out = DecodedPart()
            BlockDecoder.decodePart(base, 0, count, fileOffset, folds, &decoders[0], &out)
            return [out]
        }
        var cuts = [0]
        for k in 1..<parts {
            let from = max(cuts[k - 1], count * k / parts)
            if from < count, let nl = memchr(base + from, 10, count - from) {
                cuts.append(base.distance(to: nl.assumingMemoryBound(to: UInt8.self)) + 1)
            } else {
                cuts.append(count)
            }
        }
        cuts.append(count)
        var results = [DecodedPart](repeating: DecodedPart(), count: parts)
        decoders.withUnsafeMutableBufferPointer { decoders in
            results.withUnsafeMutableBufferPointer { results in
                // Each iteration touches only its own decoder and result slot.
                let work = PartWork(base: base, cuts: cuts, fileOffset: fileOffset, folds: folds, decoders: decoders,
                                    results: results)
                DispatchQueue.concurrentPerform(iterations: parts) { k in work.run(k) }
            }
        }
        return results
    }

    /// Decodes the lines of `base[from..<to]`, appending them to `out` (as fold events with `folds`).
    static func decodePart(_ base: UnsafePointer<UInt8>, _ from: Int, _ to: Int, _ fileOffset: Int64, _ folds: Bool,
                           _ decoder: inout EventLineDecoder, _ out: inout DecodedPart) {
        if folds {
            // Lines are about 470 bytes, their tenant, token and operation about 80 of them.
            out.folds.reserveCapacity(events: (to - from) / 256 + 16, bytes: (to - from) / 4)
        } else {
            out.events.reserveCapacity(out.events.count + (to - from) / 256 + 16)
        }
        var start = from
        while start < to {
            let end: Int
            if let nl = memchr(base + start, 10, to - start) {
                end = base.distance(to: nl.assumingMemoryBound(to: UInt8.self))
            } else {
                end = to
            }
            line(base, start, end, fileOffset, &decoder, &out, folds: folds)
            start = end + 1
        }
    }

    /// Decodes the line `base[from..<to]` (without its `\n`) into `out` (as a fold event with `folds`).
    @inline(__always)
    static func line(_ base: UnsafePointer<UInt8>, _ from: Int, _ to: Int, _ fileOffset: Int64,
                     _ decoder: inout EventLineDecoder, _ out: inout DecodedPart, folds: Bool = false) {
        var k = from
        while k < to, base[k] == 32 || base[k] == 9 || base[k] == 13 { k += 1 }
        let at = fileOffset + Int64(from)
        if k == to {
            out.skips.append(SkippedLine(before: out.count, at: at, reason: nil))
            return
        }
        let bytes = UnsafeBufferPointer(start: base + from, count: to - from)
        do {
            if folds {
                try decoder.decodeFold(bytes, ref: at, into: &out.folds)
            } else {
                out.events.append(try decoder.decodeEvent(bytes, seq: 0, ref: at))
            }
        } catch {
            out.skips.append(SkippedLine(before: out.count, at: at, reason: error.reason))
        }
    }
}

/// What each worker of one block needs: the bytes, the cuts, and its own decoder and result slot.
///
/// `@unchecked Sendable`: the pointers are only used inside `concurrentPerform`, which returns after every
/// iteration has ended, and iteration `k` touches only `decoders[k]` and `results[k]` (the bytes are only read).
private struct PartWork: @unchecked Sendable {
    let base: UnsafePointer<UInt8>
    let cuts: [Int]
    let fileOffset: Int64
    let folds: Bool
    let decoders: UnsafeMutableBufferPointer<EventLineDecoder>
    let results: UnsafeMutableBufferPointer<DecodedPart>

    func run(_ k: Int) {
        BlockDecoder.decodePart(base, cuts[k], cuts[k + 1], fileOffset, folds, &decoders[k], &results[k])
    }
}
