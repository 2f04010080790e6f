import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension Ledger {
    /// Has the pages of the records' and the event times' reserved room (capacity not used yet) faulted in on a
    /// thread of its own, for a load that has just reserved it (`reserveCapacity(tokens:events:indexed:)`): the
    /// folding thread, the one a load cannot spread, otherwise stops at each fresh page it writes for the kernel to
    /// clear it (on the 1M journal about 50,000 faults of 4 KiB, a tenth of its time). `MADV_POPULATE_WRITE`
    /// (Linux 5.14) faults pages in as if written without changing a byte, so it may run beside the fold's own
    /// writes; pages already in are left alone. A range the fold has meanwhile freed (the arrays outgrew the
    /// estimate) fails harmlessly. Where the call is unknown, nothing happens.
    ///
    /// Only up to `tokens` records and `events` event times (the estimate without its headroom), so room the load
    /// may never use stays virtual.
    public func prefaultReservedRoom(tokens: Int, events: Int) {
        let work = reservedRoom(tokens: tokens, events: events)
        guard !work.ranges.isEmpty else { return }
        let thread = Thread { _ = work.run() }
        thread.stackSize = 1 << 16
        thread.start()
    }

    /// The page-aligned ranges of that room.
    func reservedRoom(tokens: Int, events: Int) -> PrefaultRanges {
        var ranges: [(start: UInt, length: Int)] = []
        func room<T>(_ array: [T], upTo n: Int) {
            array.withUnsafeBufferPointer { b in
                guard let base = b.baseAddress else { return }
                let stride = MemoryLayout<T>.stride
                let used = UInt(bitPattern: base) + UInt(b.count * stride)
                let end = UInt(bitPattern: base) + UInt(min(array.capacity, n) * stride)
                let page = UInt(4096)
                let from = (used + page - 1) & ~(page - 1)
                if end > from + page { ranges.append((from, Int(end - from) & ~Int(page - 1))) }
            }
        }
        room(records, upTo: tokens)
        room(times.instants, upTo: events)
        room(times.packed, upTo: events)
        return PrefaultRanges(ranges: ranges)
    }
}

/// The address ranges a prefault thread asks the kernel to fault in: plain numbers, never dereferenced here.
struct PrefaultRanges: Sendable {
    let ranges: [(start: UInt, length: Int)]

    /// Faults the ranges in; false when the kernel refused (no `MADV_POPULATE_WRITE`, or a range gone).
    @discardableResult
    func run() -> Bool {
        #if os(Linux)
        // In slices, so the fold's own faults in the same range do not wait long behind the kernel's lock.
        let populateWrite: Int32 = 23 // MADV_POPULATE_WRITE
        let slice = 8 << 20
        for r in ranges {
            var at = 0
            while at < r.length {
                let n = min(slice, r.length - at)
                guard let p = UnsafeMutableRawPointer(bitPattern: r.start + UInt(at)) else { return false }
                if madvise(p, n, populateWrite) != 0 { return false }
                at += n
            }
        }
        return true
        #else
        return false
        #endif
    }
}
