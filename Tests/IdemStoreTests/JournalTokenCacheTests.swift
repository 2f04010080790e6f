import Testing
import Foundation
import IdemCore
@testable import IdemStore

/// The journal's token index checkpoint: a read through it gives what a whole read gives, and a checkpoint that
/// cannot be trusted is discarded.
@Suite struct JournalTokenCacheTests {
    let dir: TempDir
    let journal: String
    let folder: String

    init() throws {
        dir = try TempDir()
        journal = dir.file("j.jsonl")
        folder = dir.file("cache/idemtop")
        var text = ""
        for i in 0..<200 {
            text += J.line(J.request("t\(i)", tenant: i % 3 == 0 ? "umbrella" : "acme")) + "\n"
            if i % 7 == 0 { text += J.line(J.request("t\(i)", .replayed)) + "\n" }
        }
        text += J.line(J.request("dup", tenant: "acme")) + "\n" + J.line(J.request("dup", tenant: "umbrella")) + "\n"
        text += "not json\n\n" + J.line(J.completed("t7")) + "\n"
        try J.write(text, to: journal)
    }

    /// Reads the whole journal and writes its checkpoint, as `show` does on a cold read.
    func writeCheckpoint() throws {
        let r = try JournalReader(path: journal)
        let (events, bad) = try J.drain(r)
        var b = JournalTokenIndexBuilder()
        events.forEach { b.add($0) }
        try b.write(journal: journal, covered: r.offset, lines: r.linesRead, malformed: bad.count,
                    firstMalformed: bad.first, folder: folder)
    }

    var checkpoint: String { folder + "/" + JournalTokenIndex.fileName(forJournal: journal) }

    /// What a whole read gives for `token`: each tenant's timeline, the malformed lines.
    func cold(_ token: String) throws -> (events: [StoreEvent], malformed: [MalformedEntry]) {
        let r = try JournalReader(path: journal)
        let (events, bad) = try J.drain(r)
        var timeline: [StoreEvent] = []
        for tenant in Set(events.filter { $0.token == token }.map(\.tenant)).sorted() {
            timeline += try r.detail(for: TokenKey(tenant: tenant, token: token)).timeline
        }
        return (timeline.sorted { $0.seq < $1.seq }, bad)
    }

    func expectSameAsCold(_ token: String) throws {
        let read = try #require(try JournalTokenCache.read(journal: journal, token: token, folder: folder))
        let (events, bad) = try cold(token)
        #expect(!events.isEmpty)
        #expect(read.events == events, "\(token)")
        #expect(read.malformedCount == Int64(bad.count))
        #expect(read.firstMalformed == bad.first)
        for tenant in Set(events.map(\.tenant)) {
            let key = TokenKey(tenant: tenant, token: token)
            let r = try JournalReader(path: journal)
            _ = try J.drain(r)
            #expect(try read.detail(for: key).timeline == r.detail(for: key).timeline)
        }
    }

    @Test func aReadThroughTheCheckpointEqualsAWholeRead() throws {
        try writeCheckpoint()
        for token in ["t0", "t7", "t199", "dup"] { try expectSameAsCold(token) }
        #expect(try JournalTokenCache.read(journal: journal, token: "nobody", folder: folder)?.events == [])
    }

    @Test func linesAppendedSinceAreReadFromTheJournal() throws {
        try writeCheckpoint()
        try J.append(J.line(J.request("t7", .mismatch)) + "\n{broken\n" + J.line(J.request("new")) + "\n", to: journal)
        try J.append(String(J.line(J.request("t7", .replayed)).dropLast()), to: journal) // no \n yet: waits
        for token in ["t7", "new", "t0"] { try expectSameAsCold(token) }
        let read = try #require(try JournalTokenCache.read(journal: journal, token: "t7", folder: folder))
        #expect(read.appendedBytes > 0)
    }

    @Test func noCheckpointIsNil() throws {
        #expect(try JournalTokenCache.read(journal: journal, token: "t0", folder: folder) == nil)
    }

    /// Reading through the checkpoint now throws a rejection saying `why`, and the checkpoint is gone.
    func expectDiscarded(_ why: String) throws {
        do {
            _ = try JournalTokenCache.read(journal: journal, token: "t7", folder: folder)
            Issue.record("the checkpoint was trusted (\(why))")
        } catch let r as JournalTokenIndex.Rejection {
            #expect(r.description.contains(why), "\(r)")
        }
        #expect(!FileManager.default.fileExists(atPath: checkpoint))
    }

    func patch(_ path: String, at offset: Int, _ change: (UInt8) -> UInt8) throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let i = offset >= 0 ? offset : bytes.count + offset
        bytes[i] = change(bytes[i])
        // In place: the same inode.
        let h = try #require(FileHandle(forWritingAtPath: path))
        try h.write(contentsOf: Data(bytes))
        try h.close()
    }

    @Test func aTruncatedJournalMakesItStale() throws {
        try writeCheckpoint()
        try #require(truncate(journal, 100) == 0)
        try expectDiscarded("stale")
    }

    @Test func aRewrittenStartMakesItStale() throws {
        try writeCheckpoint()
        try patch(journal, at: 20) { $0 == 0x61 ? 0x62 : 0x61 }
        try expectDiscarded("stale")
    }

    @Test func anotherFilesCheckpointIsForeign() throws {
        try writeCheckpoint()
        let other = dir.file("other.jsonl")
        try FileManager.default.copyItem(atPath: journal, toPath: other)
        try FileManager.default.removeItem(atPath: journal)
        try FileManager.default.moveItem(atPath: other, toPath: journal) // same path, same bytes, another inode
        try expectDiscarded("another file")
    }

    @Test func anotherVersionIsDiscarded() throws {
        try writeCheckpoint()
        try patch(checkpoint, at: JournalTokenIndex.magic.count) { $0 &+ 1 }
        try expectDiscarded("another version")
    }

    @Test func aTruncatedCheckpointIsCorrupt() throws {
        try writeCheckpoint()
        try #require(truncate(checkpoint, 3000) == 0)
        try expectDiscarded("corrupt")
    }

    @Test(arguments: [30, 70, 90, 5000, -1, -9])
    func aFlippedBitIsCorrupt(at offset: Int) throws {
        try writeCheckpoint()
        // A journal of few tokens: with the last bytes flipped, every bucket with entries is checked in turn.
        for token in (0..<200).map({ "t\($0)" }) + ["dup"] {
            guard FileManager.default.fileExists(atPath: checkpoint) else { break }
            _ = try? JournalTokenCache.read(journal: journal, token: token, folder: folder)
            if token == "t0" { try patch(checkpoint, at: offset) { $0 ^ 0x10 } }
        }
        #expect(!FileManager.default.fileExists(atPath: checkpoint), "a flipped bit at \(offset) was never noticed")
    }

    @Test func theFolderIs0700AndTheFile0600() throws {
        try writeCheckpoint()
        let fm = FileManager.default
        #expect((try fm.attributesOfItem(atPath: folder)[.posixPermissions] as? Int) == 0o700)
        #expect((try fm.attributesOfItem(atPath: checkpoint)[.posixPermissions] as? Int) == 0o600)
        #expect(try fm.contentsOfDirectory(atPath: folder) == [(checkpoint as NSString).lastPathComponent])
    }

    @Test func theFolderFollowsXDGCacheHome() {
        #expect(CacheFolder.path(environment: ["XDG_CACHE_HOME": "/x/c", "HOME": "/h"]) == "/x/c/idemtop")
        #expect(CacheFolder.path(environment: ["XDG_CACHE_HOME": "rel", "HOME": "/h"]) == "/h/.cache/idemtop")
        #expect(CacheFolder.path(environment: ["HOME": "/h"]) == "/h/.cache/idemtop")
        #expect(CacheFolder.path(environment: [:]) == nil)
    }

    @Test func aFolderThatCannotBeWrittenIsAnError() throws {
        try J.write("x", to: dir.file("cache")) // a file where the folder would go
        #expect(throws: StoreError.self) { try writeCheckpoint() }
    }
}
