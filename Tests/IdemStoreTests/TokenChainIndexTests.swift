import Testing
@testable import IdemStore

/// The compact per-token chains behind `JournalReader.detail(for:)`.
@Suite struct TokenChainIndexTests {
    @Test func chainsKeepEachTokensLinesInOrderThroughGrowth() {
        var index = TokenChainIndex()
        for i in 0..<30_000 {
            index.add(tenant: "t\(i % 3)", token: "k\(i % 10_000)", generation: i / 20_000, offset: Int64(i * 100),
                      line: Int64(i + 1))
        }
        #expect(index.count == 30_000)
        let e = index.entries(tenant: "t1", token: "k1")
        // i = 1, 10001, 20001 have token k1; tenants 1 % 3 = 1, 10001 % 3 = 2, 20001 % 3 = 0: only i = 1 is t1/k1.
        #expect(e.contains(TokenChainIndex.Entry(generation: 0, offset: 100, line: 2)))
        #expect(e == e.sorted { $0.line < $1.line })
        let all = index.entries(tenant: "t0", token: "k3")
        #expect(all.map(\.line).contains(4))
        #expect(index.entries(tenant: "nobody", token: "k1").isEmpty)
        let last = index.entries(tenant: "t2", token: "k9999")
        #expect(last.first?.generation == 1 || last.first?.generation == 0)
    }

    @Test func headTableGrowsAndExchanges() {
        var t = HeadTable()
        for k in 1...5000 { #expect(t.exchange(UInt64(k) &* 0x9E37_79B9_7F4A_7C15, Int32(k)) == -1) }
        for k in 1...5000 { #expect(t.value(UInt64(k) &* 0x9E37_79B9_7F4A_7C15) == Int32(k)) }
        #expect(t.exchange(0x9E37_79B9_7F4A_7C15, 99) == 1)
        #expect(t.value(12345) == -1)
    }
}
