import Foundation
import IdemCore
#if canImport(Glibc)
import Glibc
#endif

/// One token's lines read through the journal's token index checkpoint: the indexed lines that hold it, and every
/// line appended since the checkpoint, decoded with bodies.
public struct IndexedTokenRead {
    /// Every event whose token is the one asked for (in any tenant), in file order, `seq` and `ref` as a whole
    /// read gives them.
    public var events: [StoreEvent]
    /// Malformed lines in the whole journal, and the first of them.
    public var malformedCount: Int64
    public var firstMalformed: MalformedEntry?
    /// The offset the checkpoint covered, and how many bytes were read after it.
    public var covered: Int64
    public var appendedBytes: Int64

    /// What the store holds on `key`: the detail a whole read's reader gives.
    public func detail(for key: TokenKey) throws -> TokenDetail {
        let timeline = events.filter { $0.key == key }
        guard !timeline.isEmpty else { throw StoreError.unknownToken(key) }
        return TokenDetail(latestExecutionOf: key, in: timeline)
    }
}

/// The journal side of the cache folder: reading one token through a checkpoint, and writing one.
public enum JournalTokenCache {
    /// `token`'s lines in the journal at `path` through its checkpoint in `folder`. Nil when there is no checkpoint;
    /// throws a `JournalTokenIndex.Rejection` (and deletes the checkpoint) when there is one that cannot be trusted;
    /// journal errors are thrown as they are.
    public static func read(journal path: String, token: String, folder: String) throws -> IndexedTokenRead? {
        let journal = try JournalFile(openForReading: path)
        let name = folder + "/" + JournalTokenIndex.fileName(forJournal: path)
        let index: JournalTokenIndex, positions: [(offset: Int64, line: Int64)]
        do {
            guard let (found, cp) = try JournalTokenIndex.open(for: journal, at: name) else { return nil }
            (index, positions) = (found, try found.positions(of: token, in: cp))
        } catch {
            unlink(name)
            throw error
        }
        var decoder = EventLineDecoder(decodeBodies: true)
        var events: [StoreEvent] = []
        for p in positions {
            let bytes = try journal.line(at: p.offset)
            if let e = decoder.decode(bytes, seq: p.line, ref: p.offset).event, e.token == token { events.append(e) }
        }
        var read = IndexedTokenRead(events: events, malformedCount: index.malformedCount,
                                    firstMalformed: index.firstMalformed, covered: index.covered, appendedBytes: 0)
        try readAppended(journal, from: index.covered, lines: index.lines, token: token, into: &read, &decoder)
        return read
    }

    /// Decodes the complete lines after `from` (a last line without its `\n` waits, as for a whole read).
    private static func readAppended(_ journal: JournalFile, from: Int64, lines: Int64, token: String,
                                     into read: inout IndexedTokenRead, _ decoder: inout EventLineDecoder) throws {
        let size = journal.size()
        guard size > from else { return }
        var buffer = [UInt8](repeating: 0, count: Int(size - from))
        var got = 0
        try buffer.withUnsafeMutableBufferPointer { b in
            guard let base = b.baseAddress else { return }
            while got < b.count {
                let n = try journal.read(into: base + got, count: b.count - got, at: from + Int64(got))
                if n == 0 { break }
                got += n
            }
        }
        var line = lines
        buffer.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return }
            var start = 0
            var part = DecodedPart()
            while start < got, let nl = memchr(base + start, 10, got - start) {
                let end = base.distance(to: nl.assumingMemoryBound(to: UInt8.self))
                line += 1
                part.events.removeAll(keepingCapacity: true)
                part.skips.removeAll(keepingCapacity: true)
                BlockDecoder.line(base, start, end, from, &decoder, &part)
                if var e = part.events.first {
                    if e.token == token {
                        e.seq = line
                        read.events.append(e)
                    }
                } else if let reason = part.skips.first?.reason {
                    if read.malformedCount == 0 { read.firstMalformed = MalformedEntry(position: line, reason: reason) }
                    read.malformedCount += 1
                }
                start = end + 1
            }
            read.appendedBytes = Int64(start)
        }
    }
}

extension JournalReader {
    /// How many lines of the current file have been read and handed on (events, empty and malformed lines).
    public var linesRead: Int64 { lineNumber }
}
