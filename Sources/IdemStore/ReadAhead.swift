import Foundation
import IdemCore

/// Reads a whole store on a thread of its own while the caller folds what it read, so decoding and folding run on two
/// cores at once: a cold `stats` over a large journal takes about as long as the slower of the two, not their sum.
///
/// The reader belongs to the read-ahead thread until `drain` returns; the caller must not touch it meanwhile.
public enum ReadAhead {
    /// Hands every batch the reader yields, in order, to `body` on the calling thread; rethrows the reader's error.
    ///
    /// At most `depth` batches of `batch` events wait between the two threads, which bounds the memory in flight.
    public static func drain(_ reader: any EventReader, batch: Int = 4096, depth: Int = 2,
                             _ body: ([StoreEvent], [MalformedEntry]) throws -> Void) throws {
        try pump(depth: depth, {
            var events: [StoreEvent] = []
            var malformed: [MalformedEntry] = []
            let n: Int
            if let whole = reader as? any BatchReader {
                // Whole decoded parts (a few thousand events each), handed over without a copy of each.
                events = try whole.pollBatch(limit: max(batch, 1 << 16), malformed: { malformed.append($0) })
                n = events.count
            } else {
                events.reserveCapacity(batch)
                n = try reader.poll(limit: batch, { events.append($0) }, malformed: { malformed.append($0) })
            }
            // A last poll may report malformed entries and no events: hand those over too.
            return (events.isEmpty && malformed.isEmpty ? nil : (events, malformed), n == 0)
        }, { try body($0.0, $0.1) })
    }

    /// `drain` for a read that only folds: the journal's parts as `FoldEvent`s, no `StoreEvent` made; the bulk of
    /// the file read by `scan.workers` threads a block each (`JournalReader.scanFolds`), the rest (what was appended
    /// since the open, or all of a file smaller than `scan.threshold`) through `JournalReader.pollFolds` on a thread
    /// of its own. `reader` must keep no token chains (`dropTokenIndex`); it decodes `StoreEvent`s again once this
    /// returns.
    public static func drainFolds(_ reader: JournalReader, depth: Int = 2, scan: FoldScanOptions = .standard,
                                  _ body: (FoldPart, [MalformedEntry]) throws -> Void) throws {
        try reader.scanFolds(scan, body)
        try pump(depth: depth, {
            var malformed: [MalformedEntry] = []
            let part = try reader.pollFolds(malformed: { malformed.append($0) })
            let end = part.events.isEmpty
            return (end && malformed.isEmpty ? nil : (part, malformed), end)
        }, { try body($0.0, $0.1) })
        reader.endFolds()
    }

    /// Runs `next` on a thread of its own until it says it is done, handing each batch it makes to `body` on the
    /// calling thread, in order, at most `depth` waiting between the two.
    private static func pump<Batch>(depth: Int, _ next: @escaping () throws -> (batch: Batch?, done: Bool),
                                    _ body: (Batch) throws -> Void) throws {
        let queue = BatchQueue<Batch>(depth: depth)
        let box = ProducerBox(next)
        let thread = Thread {
            do {
                while true {
                    let (batch, done) = try box.next()
                    if let batch {
                        guard queue.put(.batch(batch)) else { return }
                    }
                    if done { break }
                }
                _ = queue.put(.end)
            } catch {
                _ = queue.put(.failed(error))
            }
        }
        thread.stackSize = 1 << 20
        thread.start()
        defer { queue.close() }
        while true {
            switch queue.take() {
            case .batch(let batch): try body(batch)
            case .end: return
            case .failed(let error): throw error
            }
        }
    }
}

/// Carries what reads the batches (and the reader it reads) to the read-ahead thread; only that thread uses them
/// until `drain` returns.
///
/// `@unchecked Sendable`: readers are not thread-safe, and this box is sound because it is handed to one thread,
/// which is the reader's only user until it ends (`drain` does not return before then).
private final class ProducerBox<Batch>: @unchecked Sendable {
    let next: () throws -> (batch: Batch?, done: Bool)
    init(_ next: @escaping () throws -> (batch: Batch?, done: Bool)) { self.next = next }
}

/// A bounded hand-off between the read-ahead thread and the folding one.
///
/// `@unchecked Sendable`: `items` and `closed` are touched only while holding `condition`. It stays an `NSCondition`
/// rather than the project's `Locked`: both sides wait for the other (room, an item), and a `Mutex` cannot wait.
private final class BatchQueue<Batch>: @unchecked Sendable {
    enum Item {
        case batch(Batch)
        case end
        case failed(any Error)
    }

    private let condition = NSCondition()
    private var items: [Item] = []
    private var closed = false
    private let depth: Int

    init(depth: Int) { self.depth = max(1, depth) }

    /// Waits for room, then adds `item`; false when the consumer has gone (the producer then stops).
    func put(_ item: Item) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= depth && !closed { condition.wait() }
        if closed { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// Waits for the next item.
    func take() -> Item {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty { condition.wait() }
        let item = items.removeFirst()
        condition.broadcast()
        return item
    }

    /// The consumer is done (or failed): a waiting producer gives up.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
