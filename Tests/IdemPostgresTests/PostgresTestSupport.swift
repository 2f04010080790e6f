import Foundation
import IdemCore
import IdemStore
import IdemTestSupport
@testable import IdemPostgres

/// What the Postgres tests share: a database of their own with a preset's table, written by the preset driver, and
/// a reader followed into a ledger.
struct PGFixture {
    let server: PostgresServer
    let db: String

    /// A fresh database named `name` on the shared server, with `setup` (a driver op) run in it.
    init(_ name: String, setup: String, server: PostgresServer? = nil) throws {
        self.server = try server ?? PostgresServer.get()
        db = try self.server.database(name)
        try drive([["op": setup]])
    }

    @discardableResult
    func drive(_ steps: [[String: Any]]) throws -> [[String: Any]] {
        try PresetDriver.run(["dsn": server.dsn(db), "steps": steps])
    }

    func url(_ options: String) -> String { server.url(options, db: db) }

    func location(_ options: String) throws -> StoreLocation {
        guard let l = try PostgresDriver().recognise(url(options)) else { throw HarnessError("not recognised") }
        return l
    }

    func reader(_ options: String) throws -> PostgresReader {
        try PostgresReader(location: try location(options))
    }

    func sql(_ statement: String) throws -> PGRows {
        let c = try PGConnection(conninfo: server.url("", db: db).replacingOccurrences(of: "?", with: ""))
        return try c.query(statement)
    }
}

/// Polls `reader` into `ledger` until `condition` holds or `seconds` pass; every malformed row is kept.
func follow(_ reader: PostgresReader, _ ledger: inout Ledger, seconds: Double = 30,
            until condition: (Ledger) -> Bool) throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    repeat {
        while try reader.poll(limit: 10_000, { ledger.apply($0) }, malformed: { ledger.noteMalformed($0) }) > 0 {}
        if condition(ledger) { return true }
        Thread.sleep(forTimeInterval: 0.05)
    } while Date() < deadline
    return condition(ledger)
}

/// Reads everything the reader has now (the first pass and anything pending).
func load(_ reader: PostgresReader, into ledger: inout Ledger) throws {
    while try reader.poll(limit: 100_000, { ledger.apply($0) }, malformed: { ledger.noteMalformed($0) }) > 0 {}
}
