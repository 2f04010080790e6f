import CLibpq
import Foundation

/// The first read of a table, fetched on a thread of its own: page after page of `COPY ... TO STDOUT (FORMAT
/// binary)` by row id, each tuple copied out of libpq's buffer into chunks of a few thousand rows that the reader
/// decodes meanwhile. At most `maxQueued` chunks wait (a few MB): when the reader falls behind, the thread stops
/// reading and the server waits on the socket.
///
/// `@unchecked Sendable`: the connection is used only by the fetching thread from `start` until it posted its
/// last item (the owner does not touch it meanwhile, and waits for the end before using it again); the queue and
/// the flags are read and written under `condition`.
public final class PostgresCopyStream: @unchecked Sendable {
    /// Tuples as the COPY sent them (each an `int16` field count, then the fields), back to back.
    public struct Chunk: Sendable {
        public var bytes: [UInt8] = []
        /// Where each tuple starts in `bytes`, and `bytes.count` last.
        public var starts: [Int32] = []
        public var count: Int { max(0, starts.count - 1) }
    }

    private enum Item { case chunk(Chunk), end, failed(any Error) }

    private let connection: PGConnection
    private let idCount: Int
    private let pageRows: Int
    private let chunkRows: Int
    /// The COPY statement for the page after the given row id values (nil: the first page).
    private let pageSQL: ([String]?) throws -> String
    private let condition = NSCondition()
    private var queue: [Item] = []
    private var cancelled = false
    private var finished = false
    private let maxQueued = 3
    /// The bytes the last full chunk took: the next one is reserved a little more, so it is not regrown (a copy of
    /// the chunk with the old one beside it) on every chunk. Used by the fetching thread only.
    private var chunkBytes = 0

    init(connection: PGConnection, idCount: Int, pageRows: Int, chunkRows: Int,
         pageSQL: @escaping ([String]?) throws -> String) {
        self.connection = connection
        self.idCount = idCount
        self.pageRows = pageRows
        self.chunkRows = chunkRows
        self.pageSQL = pageSQL
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "idemtop-pg-read"
        thread.start()
    }

    /// The next chunk, waiting for it; nil at the end.
    func next() throws -> Chunk? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty { condition.wait() }
        let item = queue.removeFirst()
        condition.broadcast()
        switch item {
        case .chunk(let c): return c
        case .end:
            queue.append(.end)
            return nil
        case .failed(let e):
            queue.append(.end)
            throw e
        }
    }

    /// Stops the read: the thread cancels the running COPY, drains what is in flight and ends.
    func cancel() {
        condition.lock()
        cancelled = true
        queue.removeAll()
        let running = !finished
        condition.broadcast()
        condition.unlock()
        // libpq's cancel request is made for another thread to send: the thread may be waiting for rows.
        if running { connection.cancelRunning() }
    }

    /// Waits until the thread no longer uses the connection.
    func waitForEnd() {
        condition.lock()
        while !finished { condition.wait() }
        condition.unlock()
    }

    private var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }

    /// Queues `item`, waiting while `maxQueued` chunks wait already; false when the read was cancelled.
    private func post(_ item: Item) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !cancelled, queue.count >= maxQueued { condition.wait() }
        if cancelled { return false }
        queue.append(item)
        condition.broadcast()
        return true
    }

    private func run() {
        defer {
            condition.lock()
            finished = true
            condition.broadcast()
            condition.unlock()
        }
        do {
            var after: [String]?
            while true {
                guard let last = try readPage(after: after) else { return }
                after = last
            }
        } catch {
            if !isCancelled { _ = post(.failed(error)) }
        }
    }

    /// An empty chunk with room for `chunkRows` tuples of the size the last ones had (160 bytes each at first).
    private func freshChunk() -> Chunk {
        var chunk = Chunk()
        chunk.bytes.reserveCapacity(max(chunkRows * 160, chunkBytes + chunkBytes / 16))
        chunk.starts.reserveCapacity(chunkRows + 1)
        return chunk
    }

    /// Reads one page into chunks; the row id values of its last row when it was full (another page follows),
    /// nil after the last page (the end is posted).
    private func readPage(after: [String]?) throws -> [String]? {
        if isCancelled { return nil }
        try connection.startCopyOut(try pageSQL(after))
        var chunk = freshChunk()
        var rows = 0, first = true
        while let (buffer, n) = try connection.copyRow() {
            defer { PQfreemem(buffer) }
            if isCancelled { continue }
            var tuple = UnsafeRawBufferPointer(start: buffer, count: n)
            if first {
                // The header (signature, flags, extension) comes with the first tuple.
                first = false
                guard n >= 19, let p = tuple.baseAddress else { throw PostgresError.schema("COPY sent no binary header") }
                let skip = 19 + Int(PGBinary.int32(p + 15))
                guard skip <= n else { throw PostgresError.schema("COPY sent a short binary header") }
                tuple = UnsafeRawBufferPointer(rebasing: tuple[skip...])
            }
            // The trailer: a field count of -1.
            if tuple.count < 2 || PGBinary.int16(tuple.baseAddress!) < 0 { continue }
            if chunk.starts.count >= chunkRows {
                chunk.starts.append(Int32(chunk.bytes.count))
                chunkBytes = chunk.bytes.count
                guard post(.chunk(chunk)) else { continue }
                chunk = freshChunk()
            }
            chunk.starts.append(Int32(chunk.bytes.count))
            chunk.bytes.append(contentsOf: tuple)
            rows += 1
        }
        if isCancelled { return nil }
        // The last row's id values, for the next page (it is always in the chunk being filled).
        var lastIDs: [String]?
        if rows == pageRows, let start = chunk.starts.last {
            lastIDs = try chunk.bytes.withUnsafeBytes { raw -> [String] in
                var fields = PGCopyFields(base: raw.baseAddress!)
                guard fields.locate(at: Int(start), end: raw.count) else { throw PostgresError.schema("COPY sent a broken tuple") }
                return (0..<idCount).map { PGBinary.text(fields.field($0)) ?? "" }
            }
        }
        chunk.starts.append(Int32(chunk.bytes.count))
        if chunk.count > 0 { guard post(.chunk(chunk)) else { return nil } }
        if lastIDs == nil { _ = post(.end) }
        return lastIDs
    }
}
