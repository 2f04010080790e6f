import Foundation
import Testing
@testable import IdemCore
import IdemSimulator

@Suite struct DetectorTokenTableTests {
    @Test func insertsFindsAndRebuilds() {
        var table = TokenTable(capacity: 16)
        for i in 1...5000 {
            if table.isFull { table.rebuild { _ in true } }
            table.withEntry(StableHash.of(tenant: "t", token: "tok-\(i)")) { e, isNew in
                #expect(isNew)
                e.lastHit = Int64(i)
            }
        }
        #expect(table.count == 5000)
        #expect(table.count * 5 <= table.capacity * 3)
        for i in [1, 2500, 5000] {
            let seen = table.withEntry(StableHash.of(tenant: "t", token: "tok-\(i)")) { e, isNew in isNew ? -1 : e.lastHit }
            #expect(seen == Int64(i))
        }
        table.rebuild { $0.lastHit > 4000 }
        #expect(table.count == 1000)
        var found = 0
        table.update(StableHash.of(tenant: "t", token: "tok-4500")) { _ in found += 1 }
        table.update(StableHash.of(tenant: "t", token: "tok-10")) { _ in found += 10 }
        #expect(found == 1)
    }

    @Test func hashesSeparateTenantTokenAndPayloadParts() {
        #expect(StableHash.of(tenant: "a", token: "bc") != StableHash.of(tenant: "ab", token: "c"))
        #expect(StableHash.of(tenant: "acme", token: "x") != StableHash.of(tenant: "globex", token: "x"))
        #expect(StableHash.of(tenant: "acme", token: "x") == StableHash.of(tenant: "acme", token: "x"))
        #expect(StableHash.of(tenant: "t", operation: "POST /a", fingerprint: Fx.payloadA)
            != StableHash.of(tenant: "t", operation: "POST /a", fingerprint: Fx.payloadB))
        #expect(StableHash.of(tenant: "t", operation: "POST /a", fingerprint: Fx.payloadA)
            != StableHash.of(tenant: "t", operation: "POST /b", fingerprint: Fx.payloadA))
        var rng = SeededRandom(seed: 3)
        var seen = Set<UInt64>()
        for _ in 0..<100_000 { seen.insert(StableHash.of(tenant: "acme", token: Fx.uuid(&rng))) }
        #expect(seen.count == 100_000)
    }
}
