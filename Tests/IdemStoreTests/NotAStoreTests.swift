import Foundation
import IdemCore
import IdemFakes
import Testing
@testable import IdemStore

/// Input that is not a store: refused with one line, never read as an empty store, never overwritten.
@Suite struct NotAStoreTests {
    static var clock: FixedClock { FixedClock(J.t0) }

    @Test func aJournalWithLinesButNoEventIsRefusedByReadersAndWriters() throws {
        let dir = try TempDir()
        let path = dir.file("notes.jsonl")
        try J.write("meeting notes\n\n{\"kind\": \"nothing\u{1b}[2J\"}\n", to: path)
        let before = try SQLiteTestSupport.Snapshot(path)
        let why = "not an idemtop journal: 0 of 2 lines are events (first at 1: not JSON: the line is not an object: "
            + "meeting notes)"
        #expect(throws: StoreError.io(path: path, why: why)) { try JournalReader(path: path) }
        #expect(throws: StoreError.io(path: path, why: why)) {
            try JournalWriter(path: path, clock: Self.clock, create: true)
        }
        #expect(throws: StoreError.io(path: path, why: why)) {
            try StoreRegistry.files.writer(StoreLocation(kind: JournalDriver.kind, path: path), policy: .standard, clock: Self.clock,
                              create: true)
        }
        #expect(try SQLiteTestSupport.Snapshot(path) == before, "the file's bytes are untouched")
    }

    @Test func theRefusalShowsTheBadLineVisibleAndCutShort() throws {
        let dir = try TempDir()
        let path = dir.file("hostile.jsonl")
        try J.write("\u{1b}]52;c;aGk=\u{07}\u{1b}[2J" + String(repeating: "x", count: 500) + "\n", to: path)
        do {
            _ = try JournalReader(path: path)
            Issue.record("a journal of one hostile line was opened")
        } catch {
            let text = "\(error)"
            #expect(text.contains("0 of 1 line is an event (first at 1: "), "\(text)")
            #expect(text.contains(#"\x1b]52;c;aGk=\x07\x1b[2J"#), "\(text)")
            #expect(!text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7f }, "\(text)")
            #expect(text.count < 250, "\(text)")
        }
    }

    @Test func emptyBlankAndPartlyMalformedJournalsStillOpen() throws {
        let dir = try TempDir()
        let empty = dir.file("empty.jsonl")
        try J.write("", to: empty)
        #expect(try J.drain(JournalReader(path: empty)).events.isEmpty)
        let blank = dir.file("blank.jsonl")
        try J.write("\n  \n\t\n", to: blank)
        #expect(try J.drain(JournalReader(path: blank)).malformed.isEmpty)
        // Garbage first, then one event: a journal with malformed lines, read as before.
        let mixed = dir.file("mixed.jsonl")
        try J.write("junk\nmore junk\n" + J.line(J.request("t1")) + "\n", to: mixed)
        let got = try J.drain(JournalReader(path: mixed))
        #expect(got.events.map(\.token) == ["t1"])
        #expect(got.malformed.map(\.position) == [1, 2])
        // A last event without its newline yet counts too.
        let unterminated = dir.file("unterminated.jsonl")
        try J.write("junk\n" + J.line(J.request("t2")), to: unterminated)
        #expect(throws: Never.self) { try JournalReader(path: unterminated) }
        // A journal writer may still create a missing or 0-byte file.
        _ = try JournalWriter(path: dir.file("new.jsonl"), clock: Self.clock, create: true)
        _ = try JournalWriter(path: empty, clock: Self.clock, create: true)
    }

    @Test func aFIFOOrADeviceIsRefusedBeforeItIsOpened() throws {
        let dir = try TempDir()
        for name in ["pipe.jsonl", "pipe.db"] {
            let path = dir.file(name)
            #expect(mkfifo(path, 0o644) == 0)
            let refusal = StoreError.io(path: path, why: "not a regular file (a FIFO)")
            // Each of these blocked in open() before: no writer ever comes to the FIFO.
            #expect(throws: refusal) { try JournalReader(path: path) }
            #expect(throws: refusal) { try JournalWriter(path: path, clock: Self.clock, create: true) }
            #expect(throws: refusal) { try SQLiteReader(path: path) }
            #expect(throws: refusal) { try SQLiteWriter(path: path, clock: Self.clock, create: true) }
        }
        let device = StoreError.io(path: "/dev/null", why: "not a regular file (a character device)")
        #expect(throws: device) { try JournalReader(path: "/dev/null") }
        #expect(throws: device) { try JournalWriter(path: "/dev/null", clock: Self.clock, create: true) }
        #expect(throws: device) { try SQLiteReader(path: "/dev/null") }
        #expect(throws: device) { try SQLiteWriter(path: "/dev/null", clock: Self.clock, create: true) }
    }

    @Test func aDamagedSQLiteStoreIsNeverOverwritten() throws {
        let dir = try SQLiteTestSupport.tempDir()
        let good = dir + "/good.db"
        let writer = try SQLiteWriter(path: good, clock: Self.clock, create: true)
        let (request, fp) = SQLiteTestSupport.charge(10)
        _ = try writer.begin(tenant: "acme", token: "t1", operation: "POST /v1/charges", fingerprint: fp,
                             request: request)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
        // The store cut to its first byte, to its first 100 bytes (part of the header), and a text file.
        for (name, content) in [("cut1.db", bytes.prefix(1)), ("cut100.db", bytes.prefix(100)),
                                ("text.db", Data("not a database at all\n".utf8))] {
            let path = dir + "/" + name
            try content.write(to: URL(fileURLWithPath: path))
            let before = try SQLiteTestSupport.Snapshot(path)
            #expect(throws: StoreError.self) { try SQLiteWriter(path: path, clock: Self.clock, create: true) }
            #expect(throws: StoreError.self) {
                try StoreRegistry.files.writer(StoreLocation(kind: SQLiteDriver.kind, path: path), policy: .standard, clock: Self.clock,
                                  create: true)
            }
            #expect(throws: StoreError.self) { try SQLiteReader(path: path) }
            #expect(try SQLiteTestSupport.Snapshot(path) == before, "\(name) is left as it was")
        }
        // A missing or 0-byte file is still made a store.
        let empty = dir + "/empty.db"
        #expect(FileManager.default.createFile(atPath: empty, contents: nil))
        _ = try SQLiteWriter(path: empty, clock: Self.clock, create: true)
        _ = try SQLiteWriter(path: dir + "/new.db", clock: Self.clock, create: true)
        #expect(try SQLiteReader(path: empty).poll(limit: 10, { _ in }, malformed: { _ in }) == 0)
    }
}
