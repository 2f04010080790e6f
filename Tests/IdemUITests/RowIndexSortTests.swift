import Testing
@testable import IdemUI

/// The radix sort of the table's rows against the comparison sort it stands in for: the same order (key, then the
/// row's own value as the tie-break) for keys with many ties, negative keys, keys spread over every digit, both
/// directions; and no sort at all for rows that are not in ascending order or too few.
@Suite struct RowIndexSortTests {
    static func compared(_ rows: [Int32], _ key: (Int32) -> Int64, descending: Bool) -> [Int32] {
        rows.sorted { a, b in
            let ka = key(a), kb = key(b)
            if ka != kb { return descending ? ka > kb : ka < kb }
            return a < b
        }
    }

    @Test(arguments: [false, true])
    func theRadixOrderIsTheComparisonOrder(descending: Bool) {
        var rng = SystemRandomNumberGenerator()
        let rows = (0..<50_000).map { Int32($0 * 3) }  // ascending, with gaps
        let keys: [String: (Int32) -> Int64] = [
            "few distinct": { Int64($0 % 6) },
            "negative and positive": { Int64($0 % 1000) - 500 },
            "milliseconds": { 1_795_932_600_000 - Int64($0) * 37 },
            "every digit": { _ in Int64.random(in: Int64.min...Int64.max, using: &rng) },
            "extremes": { $0 % 3 == 0 ? Int64.min : ($0 % 3 == 1 ? Int64.max : 0) },
        ]
        for (name, f) in keys {
            var table: [Int32: Int64] = [:]
            for r in rows { table[r] = f(r) }
            let key = { (r: Int32) in table[r]! }
            var sorted = rows
            #expect(RowIndex.radixSort(&sorted, descending: descending, key: key), "\(name)")
            #expect(sorted == Self.compared(rows, key, descending: descending), "\(name)")
        }
    }

    @Test func rowsNotAscendingOrTooFewAreLeftToTheComparisonSort() {
        var shuffled = (0..<10_000).map { Int32($0) }.shuffled()
        let before = shuffled
        #expect(!RowIndex.radixSort(&shuffled, descending: false, key: { Int64($0) }))
        #expect(shuffled == before)
        var few = (0..<100).map { Int32($0) }
        #expect(!RowIndex.radixSort(&few, descending: true, key: { Int64($0) }))
        #expect(few == (0..<100).map { Int32($0) })
    }
}
