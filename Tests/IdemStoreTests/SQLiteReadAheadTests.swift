import Foundation
import Testing
@testable import IdemStore

/// The read-ahead hint given before the token table is read: given for a regular file within the size limit, not
/// for a directory, a missing path, a FIFO or a file over the limit, and never a write (the bytes and the
/// modification time stay as they were).
@Suite struct SQLiteReadAheadTests {
    typealias T = SQLiteTestSupport

    @Test func theHintIsGivenOnlyForARegularFileWithinTheLimitAndWritesNothing() throws {
        let dir = try T.tempDir()
        let path = dir + "/store.db"
        try Data(repeating: 7, count: 1 << 20).write(to: URL(fileURLWithPath: path))
        let before = try T.Snapshot(path)
        #expect(SQLiteReadAhead.advise(path: path))
        #expect(SQLiteReadAhead.advise(path: path, limit: 1 << 20))
        #expect(!SQLiteReadAhead.advise(path: path, limit: (1 << 20) - 1))
        #expect(!SQLiteReadAhead.advise(path: dir))
        #expect(!SQLiteReadAhead.advise(path: dir + "/missing.db"))
        let fifo = dir + "/fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        // Opening a FIFO read-only would wait for a writer: the open is non-blocking, and the FIFO is refused.
        #expect(!SQLiteReadAhead.advise(path: fifo))
        #expect(try T.Snapshot(path) == before)
        #expect(SQLiteReadAhead.memoryQuarter > 0)
    }
}
