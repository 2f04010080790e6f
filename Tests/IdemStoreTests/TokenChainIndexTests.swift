import Testing
@testable import IdemStore

/// The compact per-token chains behind `JournalReader.detail(for:)`.
@Suite struct TokenChainIndexTests {
    @Test func chainsKeepEachTokensLinesInOrderThroughGrowth() {
        var index = TokenChainIndex()
        for i in 0..<200_000 {
            index.add(tenant: "t", token: "k\(i % 10_000)", offset: Int64(i * 100))
        }
        #expect(index.count == 200_000)
        let e = index.entries(tenant: "t", token: "k7")
        let offsets: [Int64] = (0..<20).map { (n: Int) -> Int64 in Int64((n * 10_000 + 7) * 100) }
        let lines: [Int64] = (0..<20).map { (n: Int) -> Int64 in Int64(n * 10_000 + 8) }
        #expect(e.map(\.offset) == offsets)
        #expect(e.map(\.line) == lines)
        #expect(index.entries(tenant: "nobody", token: "k1").isEmpty)
    }

    @Test func lineNumbersCountSkippedLinesPerGeneration() {
        var index = TokenChainIndex()
        index.skipLine()                                     // line 1 empty
        index.add(tenant: "t", token: "a", offset: 1)        // line 2
        index.skipLine()                                     // line 3 malformed
        index.skipLine()                                     // line 4 malformed
        index.add(tenant: "t", token: "a", offset: 10)       // line 5
        index.skipLine()                                     // line 6, the old file's last
        index.startGeneration()
        index.skipLine()                                     // line 1 of the new file
        index.add(tenant: "t", token: "a", offset: 0)        // line 2
        index.add(tenant: "t", token: "a", offset: 50)       // line 3
        let e = index.entries(tenant: "t", token: "a")
        #expect(e.map(\.line) == [2, 5, 2, 3])
        #expect(e.map(\.generation) == [0, 0, 1, 1])
        #expect(e.map(\.offset) == [1, 10, 0, 50])
    }

    @Test func headTableGrowsAndExchanges() {
        var t = HeadTable()
        for k in 1...5000 { #expect(t.exchange(UInt32(k) &* 0x9E37_79B9, Int32(k)) == -1) }
        for k in 1...5000 { #expect(t.value(UInt32(k) &* 0x9E37_79B9) == Int32(k)) }
        #expect(t.exchange(0x9E37_79B9, 99) == 1)
        #expect(t.value(12345) == -1)
    }
}
