import Testing
@testable import IdemCore

@Suite struct RecordIndexTests {
    @Test func findsEveryRecordThroughManyGrowthsAndNothingElse() {
        var records: [TokenRecord] = []
        var index = RecordIndex()
        let t0 = Instant(ms: 0)
        for i in 0..<50_000 {
            let tenant = Int32(i % 3)
            var r = TokenRecord(tenantID: tenant, operationID: 0, token: "tok-\(i / 6)", fingerprint: .none,
                                stored: .completed, createdAt: t0, expiresAt: t0, lockedUntil: t0)
            // Every (tenant, token) twice: once in store 0, once in store 1.
            r.store = UInt8(i / 3 % 2)
            records.append(r)
            index.insert(Int32(i), tenant: tenant, store: r.store, token: r.token, records: records)
        }
        #expect(index.count == 50_000)
        for i in stride(from: 0, to: 50_000, by: 7) {
            #expect(index.find(Int32(i % 3), UInt8(i / 3 % 2), "tok-\(i / 6)", in: records) == Int32(i))
        }
        #expect(index.find(3, 0, "tok-1", in: records) == nil, "another tenant")
        #expect(index.find(0, 2, "tok-1", in: records) == nil, "another store")
        #expect(index.find(0, 0, "tok-99999", in: records) == nil)
        #expect(RecordIndex().find(0, 0, "x", in: []) == nil)
    }
}
