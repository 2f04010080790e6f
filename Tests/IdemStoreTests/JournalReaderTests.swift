import Foundation
import Testing
import IdemCore
import IdemProcess
@testable import IdemStore

/// The journal reader on real files: held-back partial lines, malformed lines, truncation, rotation, a live writer.
@Suite struct JournalReaderTests {
    @Test func readsEventsWithLineNumbersAndOffsets() throws {
        let dir = try TempDir()
        let path = dir.file("j.jsonl")
        let lines = [J.line(J.request("a")), J.line(J.completed("a")), J.line(J.request("a", .replayed))]
        try J.write(lines.joined(), to: path)
        let r = try JournalReader(path: path)
        #expect(r.progress.total == Int64(lines.joined().utf8.count))
        let got = try J.drain(r)
        #expect(got.events.map(\.seq) == [1, 2, 3])
        #expect(got.events.map(\.ref) == [0, Int64(lines[0].utf8.count), Int64(lines[0].utf8.count + lines[1].utf8.count)])
        #expect(got.events.map(\.label) == ["executed", "completed", "replayed"])
        #expect(got.events[0].request == nil) // the bulk read leaves bodies on disk
        #expect(got.events[1].responseStatus == 201)
        #expect(r.progress.fraction == 1)
        #expect(try J.drain(r).events.isEmpty)
    }

    @Test func partialLineIsHeldBackUntilItsNewline() throws {
        let dir = try TempDir()
        let path = dir.file("j.jsonl")
        let first = J.line(J.request("a"))
        let second = J.line(J.request("b"))
        let cut = second.utf8.count / 2
        try J.write(first + String(decoding: Array(second.utf8)[..<cut], as: UTF8.self), to: path)
        let r = try JournalReader(path: path)
        #expect(try J.drain(r).events.map(\.token) == ["a"])
        #expect(r.offset == Int64(first.utf8.count))
        #expect(try J.drain(r).events.isEmpty)
        try J.append(String(decoding: Array(second.utf8)[cut...], as: UTF8.self), to: path)
        let rest = try J.drain(r)
        #expect(rest.events.map(\.token) == ["b"])
        #expect(rest.events.first?.seq == 2)
        #expect(rest.events.first?.ref == Int64(first.utf8.count))
        #expect(rest.malformed.isEmpty)
    }

    @Test func malformedLineIsReportedWithItsNumberAndReadingGoesOn() throws {
        let dir = try TempDir()
        let path = dir.file("j.jsonl")
        try J.write(J.line(J.request("a")) + "not json\n\n   \r\n"
            + #"{"kind":"request","at":"2026-11-29T05:55:54Z","tenant":"t","token":"x","outcome":"exectued"}"# + "\n"
            + J.line(J.request("b")), to: path)
        let r = try JournalReader(path: path)
        let got = try J.drain(r)
        #expect(got.events.map(\.token) == ["a", "b"])
        #expect(got.events.map(\.seq) == [1, 6])
        #expect(got.malformed == [MalformedEntry(position: 2, reason: "not JSON: the line is not an object"),
                                  MalformedEntry(position: 5, reason: #"unknown outcome "exectued""#)])
        #expect(try r.detail(for: TokenKey(tenant: "acme", token: "b")).timeline.map(\.seq) == [6])
    }

    @Test func pollRespectsItsLimit() throws {
        let dir = try TempDir()
        let path = dir.file("j.jsonl")
        try J.write((0..<5).map { J.line(J.request("t\($0)")) }.joined(), to: path)
        let r = try JournalReader(path: path)
        #expect(try J.drain(r, limit: 2).events.map(\.token) == ["t0", "t1"])
        #expect(try J.drain(r, limit: 2).events.map(\.token) == ["t2", "t3"])
        #expect(try J.drain(r).events.map(\.seq) == [5])
    }

    @Test func linesLongerThanTheBufferAndManyChunks() throws {
        let dir = try TempDir()
        let path = dir.file("j.jsonl")
        var big = J.request("big")
        big.request?.body = String(repeating: "x", count: 50_000)
        let text = J.line(J.request("a")) + J.line(big) + (0..<500).map { J.line(J.request("t\($0)")) }.joined()
        try J.write(text, to: path)
        let r = try JournalReader(path: path, chunkSize: 4096)
        let got = try J.drain(r)
        #expect(got.events.count == 502)
        #expect(got.events.map(\.seq) == Array(1...502))
        #expect(got.malformed.isEmpty)
        #expect(r.offset == Int64(text.utf8.count))
        #expect(try r.detail(for: TokenKey(tenant: "acme", token: "big")).request?.body?.count == 50_000)
    }

    @Test func truncationStartsAgainFromTheStart() throws {
        let dir = try TempDir()
        let path = dir.file("j.jsonl")
        try J.write((0..<3).map { J.line(J.request("old\($0)")) }.joined(), to: path)
        let r = try JournalReader(path: path)
        #expect(try J.drain(r).events.count == 3)
        try J.write(J.line(J.request("new0")), to: path) // truncates, then writes one line
        let got = try J.drain(r)
        #expect(got.events.map(\.token) == ["new0"])
        #expect(got.events.map(\.seq) == [1])
        #expect(got.events.map(\.ref) == [0])
        let notices = r.drainNotices()
        #expect(notices.count == 1)
        #expect(notices.first?.contains("truncated") == true)
        #expect(r.drainNotices().isEmpty)
        #expect(r.truncations == 1)
        #expect(try r.detail(for: TokenKey(tenant: "acme", token: "new0")).timeline.count == 1)
        #expect(throws: StoreError.unknownToken(TokenKey(tenant: "acme", token: "old0"))) {
            try r.detail(for: TokenKey(tenant: "acme", token: "old0"))
        }
    }

    @Test func rotationFinishesTheOldFileThenFollowsTheNewOne() throws {
        let dir = try TempDir()
        let path = dir.file("j.jsonl")
        try J.write(J.line(J.request("a")) + J.line(J.request("b")), to: path)
        let r = try JournalReader(path: path)
        #expect(try J.drain(r).events.map(\.token) == ["a", "b"])
        try J.append(J.line(J.completed("a")), to: path)
        try FileManager.default.moveItem(atPath: path, toPath: dir.file("j.jsonl.1"))
        #expect(try J.drain(r).events.map(\.label) == ["completed"]) // renamed away, not recreated yet
        try J.write(J.line(J.request("c")) + J.line(J.completed("c")), to: path)
        let got = try J.drain(r)
        #expect(got.events.map(\.token) == ["c", "c"])
        #expect(got.events.map(\.seq) == [1, 2])
        #expect(r.drainNotices().first?.contains("rotated") == true)
        // Tokens of the old file are still found, with their bodies.
        let a = try r.detail(for: TokenKey(tenant: "acme", token: "a"))
        #expect(a.timeline.map(\.label) == ["executed", "completed"])
        #expect(a.response?.body == #"{"id":"a"}"#)
        try J.append(J.line(J.request("d")), to: path)
        #expect(try J.drain(r).events.map(\.token) == ["d"])
    }

    @Test func detailGivesTheTimelineWithBodies() throws {
        let dir = try TempDir()
        let path = dir.file("j.jsonl")
        try J.write([J.request("a"), J.request("b"), J.completed("a"), J.request("a", .replayed),
                     J.request("a", tenant: "other")].map(J.line).joined(), to: path)
        let r = try JournalReader(path: path)
        _ = try J.drain(r)
        let d = try r.detail(for: TokenKey(tenant: "acme", token: "a"))
        #expect(d.timeline.map(\.seq) == [1, 3, 4])
        #expect(d.timeline.map(\.label) == ["executed", "completed", "replayed"])
        #expect(d.request?.body == #"{"amount":100}"#)
        #expect(d.response == StoredResponse(status: 201, headers: ["X": "1"], body: #"{"id":"a"}"#))
        #expect(d.error == nil)
        #expect(try r.detail(for: TokenKey(tenant: "other", token: "a")).timeline.count == 1)
    }

    @Test func openErrors() throws {
        let dir = try TempDir()
        #expect(throws: StoreError.notFound(dir.file("nope.jsonl"))) { try JournalReader(path: dir.file("nope.jsonl")) }
        #expect(throws: StoreError.notAStore(path: dir.path, why: "a directory")) { try JournalReader(path: dir.path) }
    }

    /// A child process appends lines, some in two writes with a pause between, while the reader polls.
    @Test func followsAnotherProcessAppending() throws {
        let dir = try TempDir()
        let path = dir.file("live.jsonl")
        try J.write("", to: path)
        let count = 300
        let script = """
            import sys, time
            path, n = sys.argv[1], int(sys.argv[2])
            with open(path, "ab", buffering=0) as f:
                for i in range(n):
                    line = ('{"kind":"request","at":"2026-11-29T05:55:54.123Z","tenant":"acme","token":"t%d",'
                            '"operation":"POST /x","outcome":"executed","n":%d}\\n' % (i, i)).encode()
                    if i % 3 == 0:
                        f.write(line[:17]); time.sleep(0.002); f.write(line[17:])
                    else:
                        f.write(line)
                    if i % 10 == 0: time.sleep(0.003)
            """
        let r = try JournalReader(path: path)
        let child = try RunningChild("/usr/bin/env", ["python3", "-c", script, path, String(count)])
        var tokens: [String] = []
        var bad: [MalformedEntry] = []
        let deadline = Date().addingTimeInterval(30)
        while tokens.count < count && Date() < deadline {
            _ = try r.poll(limit: 50, { tokens.append($0.token) }, malformed: { bad.append($0) })
            usleep(1000)
        }
        #expect(child.wait(seconds: 60), "the writer hung")
        _ = try r.poll(limit: .max, { tokens.append($0.token) }, malformed: { bad.append($0) })
        #expect(child.exitCode == 0)
        #expect(bad.isEmpty)
        #expect(tokens == (0..<count).map { "t\($0)" })
    }
}
