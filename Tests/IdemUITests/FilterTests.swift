import IdemCore
import IdemUI
import Testing

@Suite struct FilterTests {
    func terms(_ text: String) -> [Filter.Term]? { try? Filter.parse(text).get().terms }

    @Test func parsesTerms() {
        #expect(terms("") == [])
        #expect(terms("acme") == [.text("acme")])
        #expect(terms("ACME  status:stuck") == [.text("acme"), .status(.stuck)])
        #expect(terms("status:in-progress") == [.status(.inProgress)])
        #expect(terms("tenant:Acme op:refunds token:3F2A") == [.tenant("acme"), .operation("refunds"), .token("3f2a")])
        #expect(terms("hits>3 mismatches>0 conflicts>=1 hits<=2 hits<1 hits=0 mism>0") == [
            .count(.hits, .gt, 3), .count(.mismatches, .gt, 0), .count(.conflicts, .ge, 1), .count(.hits, .le, 2),
            .count(.hits, .lt, 1), .count(.hits, .eq, 0), .count(.mismatches, .gt, 0),
        ])
        #expect(terms("!status:completed") == [.not(.status(.completed))])
        #expect(terms("age>10m age<=2h") == [.age(.gt, .minutes(10)), .age(.le, .hours(2))])
    }

    @Test func rejectsWithOneLine() {
        #expect(terms("status:nope") == nil)
        #expect(terms("colour:red") == nil)
        #expect(terms("hits>x") == nil)
        #expect(terms("tenant:") == nil)
        #expect(terms("age>soon") == nil)
        if case .failure(let e) = Filter.parse("age>soon") { #expect(e.message.contains("age needs a duration")) }
        if case .failure(let e) = Filter.parse("colour:red") { #expect(e.message.contains("unknown field 'colour'")) }
    }

    func matching(_ text: String) -> Set<String> {
        var s = Fixture.state()
        _ = s.setFilter(text)
        s.reindex()
        return Set(s.index.rows.map { s.ledger.records[Int($0)].token })
    }

    @Test func matchesAllTermsTogether() {
        #expect(matching("status:stuck") == ["order-1001"])
        #expect(matching("acme") == [Fixture.longToken, "order-77"])
        #expect(matching("ACME hits>3") == [Fixture.longToken])
        #expect(matching("mismatches>0") == ["evil\u{1b}[31mred"])
        // The long token's execution began exactly 10 minutes ago: the edge is in >=, not in >.
        #expect(matching("acme age>=10m") == [Fixture.longToken])
        #expect(matching("acme age>10m").isEmpty)
        #expect(matching("status:stuck age<5m") == ["order-1001"])
        #expect(matching("op:payouts") == ["pay-0042"])
        #expect(matching("3F2A") == [Fixture.longToken])
        #expect(matching("東京") == ["注文-2026-東京"])
        #expect(matching("tenant:münchen") == ["retry-9"])
        #expect(matching("status:expired") == ["tok-expired"])
        #expect(matching("!status:completed acme") == ["order-77"])
        #expect(matching("conflicts>=1") == ["order-1001"])
        #expect(matching("nothing-like-this").isEmpty)
    }
}
