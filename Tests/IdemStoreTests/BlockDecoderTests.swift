import Foundation
import Testing
import IdemCore
@testable import IdemStore

/// The journal read on several threads at once: the cuts between parts fall at line boundaries whatever the lines,
/// and what comes out (events, their seq and ref, malformed lines with their first position) is what one thread reads.
@Suite struct BlockDecoderTests {
    /// A line of each kind the cuts must cope with: events of different lengths, a malformed line, empty ones.
    static func lines(_ n: Int) -> [String] {
        (0..<n).map { i in
            switch i % 7 {
            case 3: return "not json at \(i)\n"
            case 5: return "\n"
            case 6: return "   \r\n"
            default:
                var e = J.request("tok-\(i)")
                e.request?.body = String(repeating: "b", count: (i * 37) % 300)
                return J.line(e)
            }
        }
    }

    /// The parts' lines in file order, as text: the cuts between parts do not show.
    static func describe(_ parts: [DecodedPart]) -> [String] {
        var out: [String] = []
        for p in parts {
            var skip = 0
            for (i, e) in p.events.enumerated() {
                while skip < p.skips.count, p.skips[skip].before == i {
                    out.append("- \(p.skips[skip].at) \(p.skips[skip].reason ?? "")")
                    skip += 1
                }
                out.append("e \(e.token) \(e.ref)")
            }
            for s in p.skips[skip...] { out.append("- \(s.at) \(s.reason ?? "")") }
        }
        return out
    }

    static func decode(_ text: String, workers: Int) -> [String] {
        var d = BlockDecoder(workers: workers)
        d.parallelThreshold = 0
        let bytes = Array(text.utf8)
        let parts = bytes.withUnsafeBufferPointer { b in
            b.baseAddress.map { d.decode($0, count: b.count, fileOffset: 1000) } ?? []
        }
        #expect(parts.count == workers)
        return describe(parts)
    }

    @Test func everyCutPointGivesWhatOneThreadReads() {
        // Shifting the block a byte at a time moves the even split points across every position of the lines:
        // inside an event, on a malformed line, on an empty line, right after a newline.
        let body = BlockDecoderTests.lines(12).joined()
        for pad in 0..<160 {
            let text = J.line(J.request(String(repeating: "p", count: pad + 1))) + body
            let one = BlockDecoderTests.decode(text, workers: 1)
            #expect(one.count == 13)
            for workers in [2, 3, 5] {
                #expect(BlockDecoderTests.decode(text, workers: workers) == one, "pad \(pad), \(workers) workers")
            }
        }
    }

    @Test func aMalformedLineAtTheCutKeepsItsPosition() throws {
        // The two halves of the block meet inside the malformed line: it is one line, reported once, with its number.
        let first = J.line(J.request("a"))
        let bad = String(repeating: "x", count: first.utf8.count) + "\n"
        let text = first + bad + J.line(J.request("b"))
        let described = BlockDecoderTests.decode(text, workers: 2)
        #expect(described == BlockDecoderTests.decode(text, workers: 1))
        #expect(described.count == 3)
        let dir = try TempDir()
        let path = dir.file("j.jsonl")
        try J.write(text, to: path)
        let r = try JournalReader(path: path)
        r.blocks.parallelThreshold = 0
        let got = try J.drain(r)
        #expect(got.events.map(\.seq) == [1, 3])
        #expect(got.malformed == [MalformedEntry(position: 2, reason: "not JSON: the line is not an object")])
    }

    @Test func aLineAcrossAReadEdgeIsReadWhole() throws {
        // Small reads cut lines between two fills; each block decoded in parallel ends at its last newline.
        let dir = try TempDir()
        let path = dir.file("j.jsonl")
        let lines = BlockDecoderTests.lines(600)
        try J.write(lines.joined(), to: path)
        let serial = try JournalReader(path: path, chunkSize: 1 << 20)
        serial.blocks = BlockDecoder(workers: 1)
        let want = try J.drain(serial)
        #expect(want.events.count == 600 - 600 / 7 * 3 - 1)
        for chunk in [4096, 5000, 65_536] {
            let r = try JournalReader(path: path, chunkSize: chunk)
            r.blocks.parallelThreshold = 0
            var events: [StoreEvent] = []
            var bad: [MalformedEntry] = []
            // Small polls too: decoded lines wait between polls and come out in order.
            while try r.poll(limit: 37, { events.append($0) }, malformed: { bad.append($0) }) > 0 {}
            #expect(events.map(\.seq) == want.events.map(\.seq), "chunk \(chunk)")
            #expect(events.map(\.ref) == want.events.map(\.ref), "chunk \(chunk)")
            #expect(events.map(\.token) == want.events.map(\.token), "chunk \(chunk)")
            #expect(bad == want.malformed, "chunk \(chunk)")
            #expect(r.offset == Int64(lines.joined().utf8.count))
            let key = TokenKey(tenant: "acme", token: "tok-302")
            #expect(try r.detail(for: key).timeline.map(\.seq) == [303])
        }
    }

    @Test func aFileAppendedWhileBeingReadLosesNothing() throws {
        let dir = try TempDir()
        let path = dir.file("j.jsonl")
        let lines = (0..<3000).map { J.line(J.request("t\($0)")) }
        try J.write(lines[0..<1000].joined(), to: path)
        let r = try JournalReader(path: path, chunkSize: 8192)
        r.blocks.parallelThreshold = 0
        var events: [StoreEvent] = []
        var next = 1000
        var polls = 0
        while events.count < lines.count {
            _ = try r.poll(limit: 101, { events.append($0) }, malformed: { Issue.record("malformed \($0)") })
            polls += 1
            // Between polls more lines land, the last of them cut short half the time (its rest comes next time).
            if next < lines.count {
                let more = lines[next..<min(lines.count, next + 150)].joined()
                let cut = polls % 2 == 0 ? more.utf8.count - 20 : more.utf8.count
                try J.append(String(decoding: Array(more.utf8)[..<cut], as: UTF8.self), to: path)
                if cut < more.utf8.count {
                    _ = try r.poll(limit: .max, { events.append($0) }, malformed: { Issue.record("malformed \($0)") })
                    try J.append(String(decoding: Array(more.utf8)[cut...], as: UTF8.self), to: path)
                }
                next += 150
            }
            #expect(polls < 10_000)
            if polls >= 10_000 { break }
        }
        #expect(events.map(\.token) == (0..<3000).map { "t\($0)" })
        #expect(events.map(\.seq) == Array(1...3000))
    }

    @Test func wholePartsHandedOverAreWhatPollHandsOn() throws {
        // A block of only malformed and empty lines in the middle must not read as the end of the journal.
        let dir = try TempDir()
        let path = dir.file("j.jsonl")
        let lines = BlockDecoderTests.lines(300) + Array(repeating: "junk\n", count: 400) + BlockDecoderTests.lines(300)
        try J.write(lines.joined(), to: path)
        let serial = try JournalReader(path: path)
        let want = try J.drain(serial)
        for chunk in [2048, 4096, 1 << 20] {
            let r = try JournalReader(path: path, chunkSize: chunk)
            r.blocks.parallelThreshold = 0
            var events: [StoreEvent] = []
            var bad: [MalformedEntry] = []
            var batches = 0
            while true {
                let batch = try r.pollBatch(limit: 1 << 16, malformed: { bad.append($0) })
                if batch.isEmpty { break }
                events += batch
                batches += 1
            }
            #expect(batches > 1, "chunk \(chunk)")
            #expect(events.map(\.seq) == want.events.map(\.seq), "chunk \(chunk)")
            #expect(events.map(\.ref) == want.events.map(\.ref), "chunk \(chunk)")
            #expect(bad == want.malformed, "chunk \(chunk)")
            #expect(r.offset == Int64(lines.joined().utf8.count))
            #expect(try r.detail(for: TokenKey(tenant: "acme", token: "tok-1")).timeline.count == 2)
        }
    }

    @Test func aPollEndingOnAPartsLastEventLeavesTheOffsetAtTheNextLine() throws {
        let dir = try TempDir()
        let path = dir.file("j.jsonl")
        let lines = (0..<400).map { J.line(J.request("t\($0)")) }
        let text = lines.joined()
        try J.write(text, to: path)
        // The same cut the reader makes: how many events the first part holds.
        var probe = BlockDecoder(workers: 2)
        probe.parallelThreshold = 0
        let bytes = Array(text.utf8)
        let parts = bytes.withUnsafeBufferPointer { b in
            b.baseAddress.map { probe.decode($0, count: b.count, fileOffset: 0) } ?? []
        }
        let first = try #require(parts.first?.events.count)
        #expect(parts.count == 2 && first > 0 && first < 400)
        let r = try JournalReader(path: path)
        r.blocks = BlockDecoder(workers: 2)
        r.blocks.parallelThreshold = 0
        #expect(try J.drain(r, limit: first).events.count == first)
        #expect(r.offset == Int64(lines[..<first].joined().utf8.count))
        #expect(r.pendingBytes == bytes.count - lines[..<first].joined().utf8.count)
        #expect(try J.drain(r, limit: 400 - first).events.count == 400 - first)
        #expect(r.offset == Int64(bytes.count))
        #expect(r.pendingBytes == 0)
        #expect(r.progress.fraction == 1)
    }
}
