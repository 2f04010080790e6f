import Foundation
import Testing
import IdemCore
@testable import IdemStore

/// The journal reader while a writer faster than its polls truncates, refills and rotates the file: every event is
/// delivered exactly once, counted by the sequence number in its token (`s0000`, `s0001`, ...).
///
/// The exact-boundary cases drive the polls themselves (a poll, then the writer's steps, then a poll); the last test
/// runs a real writer on a thread of its own.
@Suite struct JournalFollowTests {
    /// The line of event number `n`: every line has the same length, so a refill can match the old size exactly.
    static func line(_ n: Int) -> String {
        J.line(J.request("s" + String(repeating: "0", count: max(0, 4 - String(n).count)) + String(n)))
    }

    static func lines(_ range: Range<Int>) -> String { range.map(line).joined() }

    static func tokens(_ range: Range<Int>) -> [String] {
        range.map { "s" + String(repeating: "0", count: max(0, 4 - String($0).count)) + String($0) }
    }

    /// Cuts the file to 0 bytes in place (same inode), as `truncate -s 0` and logrotate's copytruncate do.
    static func truncate(_ path: String) throws {
        guard let h = FileHandle(forWritingAtPath: path) else { throw StoreError.notFound(path) }
        defer { try? h.close() }
        try h.truncate(atOffset: 0)
    }

    static func inode(_ path: String) -> UInt64? { JournalFile.identity(ofPath: path)?.inode }

    /// Truncated to 0 and written again between two polls, to fewer bytes than were read, exactly as many, or more.
    @Test(arguments: [3, 10, 40])
    func truncateToZeroAndRefillBetweenTwoPolls(refill: Int) throws {
        let dir = try TempDir()
        let path = dir.file("j.jsonl")
        try J.write(Self.lines(0..<10), to: path)
        let r = try JournalReader(path: path)
        #expect(try J.drain(r).events.map(\.token) == Self.tokens(0..<10))
        let inode = Self.inode(path)
        try Self.truncate(path)
        try J.append(Self.lines(10..<10 + refill), to: path)
        #expect(Self.inode(path) == inode) // the same file, written again
        let got = try J.drain(r)
        #expect(got.events.map(\.token) == Self.tokens(10..<10 + refill))
        #expect(got.events.map(\.seq) == Array(1...Int64(refill)))
        #expect(got.malformed.isEmpty)
        let notices = r.drainNotices()
        #expect(notices.count == 1 && notices[0].contains("truncated"), "\(notices)")
        try J.append(Self.line(99), to: path)
        #expect(try J.drain(r).events.map(\.token) == Self.tokens(99..<100))
        #expect(r.drainNotices().isEmpty)
    }

    /// A line cut in half by the poll, then the file truncated and refilled past it: the half line is dropped with
    /// the old contents, never glued to the new ones.
    @Test func truncateAndRefillWhileALineIsHeldBack() throws {
        let dir = try TempDir()
        let path = dir.file("j.jsonl")
        let half = Array(Self.line(1).utf8.prefix(30))
        try J.write(Self.line(0) + String(decoding: half, as: UTF8.self), to: path)
        let r = try JournalReader(path: path)
        #expect(try J.drain(r).events.map(\.token) == Self.tokens(0..<1))
        #expect(r.pendingBytes == 30)
        try Self.truncate(path)
        try J.append(Self.lines(2..<6), to: path)
        let got = try J.drain(r)
        #expect(got.events.map(\.token) == Self.tokens(2..<6))
        #expect(got.malformed.isEmpty)
    }

    /// logrotate's copytruncate: the file copied aside, cut to 0 in place, and the writer goes on appending before
    /// the next poll. (What is written between the reader's last poll and the cut is only in the copy: copytruncate
    /// loses it for every follower, so the cut here comes right after a poll.)
    @Test func copyTruncateRotation() throws {
        let dir = try TempDir()
        let path = dir.file("j.jsonl")
        try J.write(Self.lines(0..<20), to: path)
        let r = try JournalReader(path: path)
        #expect(try J.drain(r).events.count == 20)
        try FileManager.default.copyItem(atPath: path, toPath: dir.file("j.jsonl.1"))
        try Self.truncate(path)
        try J.append(Self.lines(20..<45), to: path)
        #expect(try J.drain(r).events.map(\.token) == Self.tokens(20..<45))
        try J.append(Self.lines(45..<47), to: path)
        #expect(try J.drain(r).events.map(\.token) == Self.tokens(45..<47))
        #expect(r.truncations == 1)
    }

    /// Renamed away twice in a row while a writer that has not noticed goes on appending to the old file, and a new
    /// file is written before the next poll; then once more. The reader finishes each old file through the
    /// descriptor it holds, then reads the new one from its start.
    @Test func doubleRenameWithWritesBetween() throws {
        let dir = try TempDir()
        let path = dir.file("j.jsonl")
        try J.write(Self.lines(0..<5), to: path)
        let r = try JournalReader(path: path)
        var seen = try J.drain(r).events.map(\.token)
        let late = try #require(FileHandle(forWritingAtPath: path))
        defer { try? late.close() }
        try late.seekToEnd()
        try FileManager.default.moveItem(atPath: path, toPath: dir.file("j.jsonl.1"))
        try late.write(contentsOf: Data(Self.line(5).utf8))
        try FileManager.default.moveItem(atPath: dir.file("j.jsonl.1"), toPath: dir.file("j.jsonl.2"))
        try late.write(contentsOf: Data(Self.line(6).utf8))
        try J.write(Self.lines(7..<9), to: path)
        seen += try J.drain(r).events.map(\.token)
        #expect(seen == Self.tokens(0..<9))

        let late2 = try #require(FileHandle(forWritingAtPath: path))
        defer { try? late2.close() }
        try late2.seekToEnd()
        try FileManager.default.moveItem(atPath: path, toPath: dir.file("j.jsonl.1"))
        try late2.write(contentsOf: Data(Self.line(9).utf8))
        try J.write(Self.line(10), to: path)
        try late2.write(contentsOf: Data(Self.line(11).utf8))
        try J.append(Self.line(12), to: path)
        let second = try J.drain(r).events.map(\.token)
        #expect(second == Self.tokens(9..<10) + Self.tokens(11..<12) + Self.tokens(10..<11) + Self.tokens(12..<13))
        let notices = r.drainNotices()
        #expect(notices.filter { $0.contains("rotated") }.count == 2, "\(notices)")
    }

    /// Two rotations between two polls, logrotate-style (`j.jsonl.1` shifted to `j.jsonl.2`), with writes to the
    /// file made in between: that file was never open in the reader, yet its lines come after the old file's and
    /// before the newest file's. Older copies that were there before the reader opened are not read.
    @Test func twoRotationsBetweenTwoPollsReadTheFileInBetween() throws {
        let dir = try TempDir()
        let path = dir.file("j.jsonl")
        try J.write(J.line(J.request("before-the-reader")), to: dir.file("j.jsonl.1"))
        try J.write(J.line(J.request("unrelated")), to: dir.file("other.jsonl.1"))
        try J.write(Self.lines(0..<5), to: path)
        let r = try JournalReader(path: path)
        #expect(try J.drain(r).events.map(\.token) == Self.tokens(0..<5))
        let late = try #require(FileHandle(forWritingAtPath: path))
        defer { try? late.close() }
        try late.seekToEnd()
        let move = { (from: String, to: String) in
            try FileManager.default.moveItem(atPath: dir.file(from), toPath: dir.file(to))
        }
        try move("j.jsonl.1", "j.jsonl.2")
        try move("j.jsonl", "j.jsonl.1")
        try late.write(contentsOf: Data(Self.line(5).utf8))
        try J.write(Self.lines(6..<9), to: path) // the file in between
        try move("j.jsonl.2", "j.jsonl.3")
        try move("j.jsonl.1", "j.jsonl.2")
        try move("j.jsonl", "j.jsonl.1")
        try J.write(Self.lines(9..<12), to: path)
        let got = try J.drain(r)
        #expect(got.events.map(\.token) == Self.tokens(0..<12).dropFirst(5).map { $0 })
        #expect(got.malformed.isEmpty)
        let notices = r.drainNotices()
        #expect(notices.count == 2 && notices[0].contains("reading j.jsonl.1 first"), "\(notices)")
        try J.append(Self.line(12), to: path)
        #expect(try J.drain(r).events.map(\.token) == Self.tokens(12..<13))
    }

    /// After a rename the reader stays on the old file while a writer holds its lock (that writer took it before the
    /// rename and may still append there), and moves on once the lock is free.
    @Test func rotationWaitsForTheOldFilesWriter() throws {
        let dir = try TempDir()
        let path = dir.file("j.jsonl")
        try J.write(Self.lines(0..<3), to: path)
        let r = try JournalReader(path: path, rotationGrace: 600)
        #expect(try J.drain(r).events.count == 3)
        let writer = try JournalFile(openForAppending: path, create: false)
        try writer.lockExclusive()
        try FileManager.default.moveItem(atPath: path, toPath: dir.file("j.jsonl.1"))
        try J.write(Self.line(4), to: path)
        #expect(try J.drain(r).events.isEmpty) // the old file's writer is still at work
        try writer.writeAll(Array(Self.line(3).utf8))
        writer.unlock()
        #expect(try J.drain(r).events.map(\.token) == Self.tokens(3..<5))
    }

    /// A real writer on another thread (the writer API, faster than the polls) while a third thread renames the
    /// journal away again and again, every 150 events whether the reader has looked or not (so some files are made,
    /// written and renamed away between two polls), and every other time renames the old file once more: every
    /// event arrives once.
    @Test func concurrentWriterWithRotationsLosesNothing() throws {
        let dir = try TempDir()
        let path = dir.file("j.jsonl")
        try J.write("", to: path)
        let total = 6000
        let written = Shared(), followed = Shared(), writerDone = Shared(), rotations = Shared()
        let r = try JournalReader(path: path)
        let deadline = Date().addingTimeInterval(120)
        let writer = Thread {
            do {
                let w = try JournalWriter(path: path, clock: SystemClock(), create: false)
                for i in 0..<total {
                    // At most 250 events past the next rotation's mark, so the rotations keep up with the writer.
                    while i >= (rotations.value + 1) * 150 + 250 && rotations.value >= 0 && Date() < deadline {
                        usleep(100)
                    }
                    _ = try w.begin(tenant: "acme", token: JournalFollowTests.tokens(i..<i + 1)[0],
                                    operation: "POST /v1/charges", fingerprint: J.fp, request: nil)
                    written.set(i + 1)
                }
                writerDone.set(1)
            } catch {
                writerDone.set(-1)
            }
        }
        let rotator = Thread {
            var n = 0
            while writerDone.value == 0 && Date() < deadline {
                // The next rotation once 150 more events are written.
                guard written.value >= (n + 1) * 150 else {
                    usleep(100)
                    continue
                }
                n += 1
                do {
                    try FileManager.default.moveItem(atPath: path, toPath: path + ".\(n)")
                    if n % 2 == 0 {
                        try FileManager.default.moveItem(atPath: path + ".\(n)", toPath: path + ".\(n).old")
                    }
                    try J.write("", to: path)
                } catch {
                    rotations.set(-1)
                    return
                }
                rotations.set(n)
            }
        }
        writer.start()
        rotator.start()
        var seen: [String] = []
        while (writerDone.value == 0 || seen.count < total) && writerDone.value != -1 && Date() < deadline {
            let n = try r.poll(limit: 10_000, { seen.append($0.token) }, malformed: { _ in })
            followed.set(followed.value + r.drainNotices().filter { $0.contains("rotated") }.count)
            if n == 0 { usleep(20_000) }
        }
        #expect(writerDone.value == 1)
        #expect(rotations.value >= total / 150 - 2)
        #expect(seen.count == total)
        #expect(Set(seen).count == seen.count)
        #expect(seen.sorted() == Self.tokens(0..<total))
        // One notice a file moved to (a file renamed away empty is skipped, so perhaps fewer).
        #expect(followed.value > rotations.value / 2 && followed.value <= rotations.value)
    }

    /// The writer's own catch-up under rotations every few milliseconds: it reads up to the file it holds locked and
    /// never past it, so each `complete` finds the `begin` it follows, and each token executes once.
    @Test func writerKeepsItsOwnLinesAcrossRotations() throws {
        let dir = try TempDir()
        let path = dir.file("j.jsonl")
        try J.write("", to: path)
        let stop = Shared(), stopped = Shared()
        let rotator = Thread {
            var n = 0
            while stop.value == 0 && n < 1000 { // bounded, should the writer be slowed down a lot
                usleep(2000)
                n += 1
                try? FileManager.default.moveItem(atPath: path, toPath: path + ".\(n)")
                try? J.write("", to: path)
            }
            stopped.set(1)
        }
        rotator.start()
        defer { stop.set(1) }
        let w = try JournalWriter(path: path, clock: SystemClock(), create: false)
        var failures: [String] = []
        for i in 0..<2000 {
            let r = try w.begin(tenant: "a", token: "t\(i)", operation: "op", fingerprint: J.fp, request: nil)
            guard case .execute(let ticket, _) = r else {
                failures.append("t\(i): \(r.outcome)")
                continue
            }
            do { try w.complete(ticket, response: StoredResponse(status: 201)) } catch { failures.append("\(error)") }
        }
        stop.set(1)
        let deadline = Date().addingTimeInterval(60)
        while stopped.value == 0 && Date() < deadline { usleep(1000) }
        #expect(stopped.value == 1)
        #expect(failures.isEmpty, "\(failures.count) failures, first \(failures.prefix(3))")
        var labels: [String: [String]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) {
            for e in try J.drain(try JournalReader(path: dir.file(name))).events {
                labels[e.token, default: []].append(e.label)
            }
        }
        // Each token's two lines, once each (in two files when a rotation came between them).
        let odd = labels.filter { $0.value.sorted() != ["completed", "executed"] }
        #expect(labels.count == 2000 && odd.isEmpty, "\(labels.count) tokens; odd: \(odd.prefix(3))")
    }
}

/// An integer shared between the writer thread and the test.
private final class Shared: @unchecked Sendable {
    private let lock = NSLock()
    private var v = 0
    var value: Int { lock.withLock { v } }
    func set(_ n: Int) { lock.withLock { v = n } }
}
