import IdemCore
import Testing
@testable import IdemPostgres

/// The tracker's compact row table: set, find, grow, forget and come back.
@Suite struct PostgresSeenTableTests {
    static func seen(_ id: Int, version: Int32 = 1) -> PostgresChangeTracker.Seen {
        PostgresChangeTracker.Seen(rowID: "\(id)", createdMs: Int64(id), lockedRaw: .min, expiresMs: 0,
                                   xmin32: UInt32(id), version: version, stored: .completed)
    }

    @Test func findsEveryKeyAcrossTenantsAndGrowth() {
        var t = PostgresSeenTable()
        for i in 0..<5000 { t.set(TokenKey(tenant: "t\(i % 7)", token: "k\(i)"), PostgresSeenTableTests.seen(i)) }
        #expect(t.count == 5000)
        for i in stride(from: 0, to: 5000, by: 97) {
            #expect(t[TokenKey(tenant: "t\(i % 7)", token: "k\(i)")]?.rowID == "\(i)")
        }
        // The same token under another tenant is another row.
        #expect(t[TokenKey(tenant: "t1", token: "k0")] == nil)
        t.set(TokenKey(tenant: "t0", token: "k0"), PostgresSeenTableTests.seen(0, version: 3))
        #expect(t.count == 5000 && t[TokenKey(tenant: "t0", token: "k0")]?.version == 3)
    }

    @Test func aForgottenKeyIsGoneUntilItComesBack() {
        var t = PostgresSeenTable()
        t.reserve(100)
        let k = TokenKey(tenant: "", token: "a")
        t.set(k, PostgresSeenTableTests.seen(1))
        #expect(t.remove(k)?.rowID == "1")
        #expect(t[k] == nil && t.count == 0 && t.keys { _ in true }.isEmpty)
        #expect(t.remove(k) == nil)
        t.set(k, PostgresSeenTableTests.seen(2))
        #expect(t[k]?.rowID == "2" && t.count == 1 && t.keys { _ in true } == [k])
    }

    /// The row estimate is ANALYZE's, from a sample: the reservations made from it (the ledger's records, this
    /// table's entries) leave room for more rows than it says, so a table a few rows larger than estimated is not
    /// copied into a doubled array at its last rows.
    @Test func theReservationHasRoomBeyondTheEstimate() {
        for estimate in [0, 25, 999_949, 1_000_000, 5_000_000] {
            let room = PostgresReader.withHeadroom(estimate)
            #expect(room >= estimate + estimate / 100 && room >= 1000, "\(estimate): \(room)")
        }
    }
}
