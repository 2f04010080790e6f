/// A ledger in a compact binary form and back: what the journal's fold checkpoint holds, so a reopen folds only the
/// events appended since.
///
/// Everything the fold keeps is written (records, the interned tenants and operations, the counts, the malformed
/// entries and their count, the newest event time, the number of stores, every event's time for `at:` and the
/// histogram); the record index is rebuilt on reading.
/// The policy is not: the checkpoint's key says which policy made it.
extension Ledger {
    /// The ledger's state as bytes (`init(decoding:policy:)` reads it back).
    public func encoded() -> [UInt8] {
        var w = ByteWriter()
        w.bytes.reserveCapacity(records.count * 96 + 4096)
        for table in [tenants, operations] {
            w.u32(UInt32(table.count))
            table.strings.forEach { w.string($0) }
        }
        w.u64(UInt64(counts.events))
        w.u64(UInt64(counts.requests))
        w.u32(UInt32(counts.outcomes.count))
        counts.outcomes.forEach { w.u64(UInt64($0)) }
        w.u32(UInt32(counts.kinds.count))
        counts.kinds.forEach { w.u64(UInt64($0)) }
        w.u64(UInt64(malformedCount))
        w.u32(UInt32(malformed.count))
        for m in malformed {
            w.i64(m.position)
            w.string(m.reason)
        }
        w.u8(lastEventAt == nil ? 0 : 1)
        w.i64(lastEventAt?.ms ?? 0)
        w.u32(UInt32(storeCount))
        w.u64(UInt64(records.count))
        let statuses = StoredStatus.allCases
        for r in records {
            w.i32(r.tenantID)
            w.i32(r.operationID)
            w.string(r.token)
            switch r.fingerprint.storage {
            case .sha256(let a, let b, let c, let d):
                w.u8(0)
                [a, b, c, d].forEach { w.u64($0) }
            case .text(let t):
                w.u8(1)
                w.string(t)
            }
            w.u8(UInt8(statuses.firstIndex(of: r.stored) ?? 0))
            w.u8(r.store)
            [r.createdAt, r.updatedAt, r.expiresAt, r.lockedUntil, r.lastSeen].forEach { w.i64($0.ms) }
            [r.version, r.executions, r.hits, r.mismatches, r.conflicts, r.reexecutions, r.adminEvents].forEach { w.i32($0) }
            w.i32(Int32(r.responseStatus))
            w.i64(r.requestRef)
            w.i64(r.responseRef)
        }
        // Every event's instant and packed record/outcome (the `at:` windows and the histogram read them).
        w.u64(UInt64(times.count))
        times.instants.forEach { w.i64($0) }
        times.packed.forEach { w.u32($0) }
        return w.bytes
    }

    /// The ledger `encoded()` wrote, under `policy`; nil when the bytes do not hold one (short, or a value out of
    /// range): the caller has verified a checksum, so this guards against a format mismatch, not corruption.
    public init?(decoding bytes: [UInt8], policy: Policy) {
        self.init(policy: policy)
        var r = ByteReader(bytes: bytes)
        var tables: [[String]] = []
        for _ in 0..<2 {
            let n = Int(r.u32())
            guard n <= bytes.count else { return nil }
            tables.append((0..<n).map { _ in r.string() })
        }
        tenants = Interner(strings: tables[0])
        operations = Interner(strings: tables[1])
        guard tenants.count == tables[0].count, operations.count == tables[1].count else { return nil }
        counts.events = Int(r.u64())
        counts.requests = Int(r.u64())
        guard Int(r.u32()) == counts.outcomes.count else { return nil }
        for i in counts.outcomes.indices { counts.outcomes[i] = Int(r.u64()) }
        guard Int(r.u32()) == counts.kinds.count else { return nil }
        for i in counts.kinds.indices { counts.kinds[i] = Int(r.u64()) }
        malformedCount = Int(r.u64())
        let bad = Int(r.u32())
        guard bad <= 500 else { return nil }
        malformed = (0..<bad).map { _ in MalformedEntry(position: r.i64(), reason: r.string()) }
        let hasLast = r.u8() == 1
        let last = r.i64()
        lastEventAt = hasLast ? Instant(ms: last) : nil
        storeCount = Int(r.u32())
        let n = Int(r.u64())
        guard n <= bytes.count / 60 else { return nil }
        let statuses = StoredStatus.allCases
        records.reserveCapacity(n)
        for _ in 0..<n {
            let tenantID = r.i32(), operationID = r.i32(), token = r.string()
            let fingerprint: Fingerprint
            switch r.u8() {
            case 0: fingerprint = Fingerprint(storage: .sha256(r.u64(), r.u64(), r.u64(), r.u64()))
            case 1: fingerprint = Fingerprint(storage: .text(r.string()))
            default: return nil
            }
            let s = Int(r.u8())
            guard s < statuses.count, tenantID >= 0, Int(tenantID) < tenants.count, operationID >= 0,
                  Int(operationID) < operations.count else { return nil }
            var rec = TokenRecord(tenantID: tenantID, operationID: operationID, token: token, fingerprint: fingerprint,
                                  stored: statuses[s], createdAt: Instant(ms: 0), expiresAt: Instant(ms: 0),
                                  lockedUntil: Instant(ms: 0))
            rec.store = r.u8()
            rec.createdAt = Instant(ms: r.i64())
            rec.updatedAt = Instant(ms: r.i64())
            rec.expiresAt = Instant(ms: r.i64())
            rec.lockedUntil = Instant(ms: r.i64())
            rec.lastSeen = Instant(ms: r.i64())
            rec.version = r.i32()
            rec.executions = r.i32()
            rec.hits = r.i32()
            rec.mismatches = r.i32()
            rec.conflicts = r.i32()
            rec.reexecutions = r.i32()
            rec.adminEvents = r.i32()
            rec.responseStatus = Int16(truncatingIfNeeded: r.i32())
            rec.requestRef = r.i64()
            rec.responseRef = r.i64()
            guard !r.overrun else { return nil }
            records.append(rec)
            index.insert(Int32(records.count - 1), tenant: tenantID, store: rec.store, token: token, records: records)
        }
        let events = Int(r.u64())
        guard events <= bytes.count / 12 else { return nil }
        let instants = (0..<events).map { _ in r.i64() }
        let packed = (0..<events).map { _ in r.u32() }
        guard !r.overrun, packed.allSatisfy({ Int($0 >> 3) < records.count }) else { return nil }
        times = EventTimes(instants: instants, packed: packed)
        guard !r.overrun, r.at == bytes.count else { return nil }
    }
}
