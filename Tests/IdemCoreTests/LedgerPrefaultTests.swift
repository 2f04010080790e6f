import Foundation
import Testing
@testable import IdemCore
#if canImport(Glibc)
import Glibc
#endif

/// A load that has reserved the ledger's room has its pages faulted in on another thread
/// (`Ledger.prefaultReservedRoom`): the room must then be resident, and nothing the fold wrote, or writes after, may
/// change.
@Suite struct LedgerPrefaultTests {
    static let t0 = Instant(ms: 1_764_396_000_000)

    static func request(_ k: Int) -> StoreEvent {
        StoreEvent(kind: .request, at: t0 + .seconds(Int64(k)), tenant: "t\(k % 7)", token: "tok-\(k)",
                   operation: "POST /x", fingerprint: Fingerprint("fp-\(k % 13)"), outcome: .executed)
    }

    /// How many of the pages of `length` bytes from `start` are resident (mincore).
    static func residentPages(_ start: UInt, _ length: Int) -> Int {
        let pages = (length + 4095) / 4096
        var vec = [UInt8](repeating: 0, count: pages)
        guard let p = UnsafeMutableRawPointer(bitPattern: start), mincore(p, length, &vec) == 0 else { return -1 }
        return vec.filter { $0 & 1 == 1 }.count
    }

    @Test func theReservedRoomIsFaultedInAndTheFoldUnchanged() {
        var ledger = Ledger(), plain = Ledger()
        for k in 0..<1000 {
            ledger.apply(Self.request(k))
            plain.apply(Self.request(k))
        }
        ledger.reserveCapacity(tokens: 200_000, events: 600_000, indexed: 1000)
        let room = ledger.reservedRoom(tokens: 200_000, events: 600_000)
        // The records, their instants and their packed codes, each past what they hold.
        #expect(room.ranges.count == 3)
        let untouched = room.ranges.map { Self.residentPages($0.start, $0.length) }.reduce(0, +)
        let total = room.ranges.map { $0.length / 4096 }.reduce(0, +)
        // Past the 1,000 records and event times held, each range rounded in to whole pages.
        #expect(total >= (199_000 * MemoryLayout<TokenRecord>.stride + 599_000 * 12) / 4096 - 6)
        #expect(untouched < total / 2, "fresh room is not resident yet")
        #expect(room.run())
        let after = room.ranges.map { Self.residentPages($0.start, $0.length) }.reduce(0, +)
        #expect(after == total)
        for k in 1000..<3000 {
            ledger.apply(Self.request(k))
            plain.apply(Self.request(k))
        }
        #expect(ledger.records == plain.records)
        #expect(ledger.times.instants == plain.times.instants && ledger.times.packed == plain.times.packed)
    }

    @Test func noRoomNoRanges() {
        var ledger = Ledger()
        ledger.apply(Self.request(1))
        #expect(ledger.reservedRoom(tokens: 1, events: 1).ranges.isEmpty)
    }
}
