import Foundation

#if !_endian(little)
#error("LedgerImage writes and reads its arrays in the host's byte order, which must be little-endian")
#endif

/// A ledger as fixed-size records and flat arrays: the journal's fold checkpoint (version 4), written in pieces as
/// it is produced and read back from a mapped file without a copy of the whole.
///
/// The image, little-endian, each section starting at a multiple of 8:
///
///     prefix:    metaLength records tokenBytes textBytes events indexSlots reserved reserved (u64 each)
///     meta:      tenants, operations, counts, malformed entries, newest event time, store count (ByteWriter form)
///     records:   `recordSize` bytes each (layout below), in the ledger's order
///     tokens:    every record's token, UTF-8, one after the other in record order
///     texts:     the fingerprints that are not SHA-256 hex, UTF-8, the same way
///     instants:  one i64 an event;  packed: one u32 an event (`EventTimes`)
///     expires:   one i64 a record (its expiresAt);  locked: one i64 a record (its lockedUntil)
///     stored:    one u8 a record (its stored status's code)
///     index:     the record index's slots as they are (`indexSlots` u64s: hash tag and position + 1)
///
/// A record: createdAt updatedAt expiresAt lockedUntil lastSeen requestRef responseRef (i64, at 0..48),
/// tokenOffset (u64, 56), fingerprint (4 x u64 at 64: the SHA-256 words, or a text's offset and length), tenantID
/// operationID tokenLength version executions hits mismatches conflicts reexecutions adminEvents (32 bits each, at
/// 96..132), responseStatus (i16, 136), stored status, store, fingerprint kind (u8 each, 138..140), 3 zero bytes.
///
/// Reading takes every field from its fixed place (no per-field length or bounds walk); the caller checks each
/// range against its checksums as it is reached (`verify`) and may drop what was read (`release`), so the file's
/// pages need not stay resident while the ledger grows. The record index is read back as it was written (no
/// token hashed again); the policy is not stored (the checkpoint's key says which policy made it).
///
/// The columns (expires, locked, stored) repeat what the summary needs of each record, 17 bytes a record in three
/// arrays: `View` counts the tokens by status at any instant from them, and with the stored index finds the
/// records a journal's tail touches, without decoding the records (see `ImageTailFold`).
public enum LedgerImage {
    static let recordSize = 144
    static let prefixSize = 64
    /// Records decoded between two `verify` calls.
    static let batch = 4096

    /// Where each section starts, and the image's whole length.
    struct Layout: Equatable {
        var meta = 0, records = 0, tokens = 0, texts = 0, instants = 0, packed = 0
        var expires = 0, locked = 0, stored = 0, index = 0, end = 0

        init?(metaLength: UInt64, records n: UInt64, tokenBytes: UInt64, textBytes: UInt64, events: UInt64,
              indexSlots: UInt64) {
            // Bounds that keep every sum below Int.max: a checkpoint is far smaller than 2^40 bytes.
            let limit: UInt64 = 1 << 40
            guard metaLength < limit, n < limit / 256, tokenBytes < limit, textBytes < limit, events < limit / 16,
                  indexSlots < limit / 16 else {
                return nil
            }
            func up8(_ x: Int) -> Int { (x + 7) & ~7 }
            meta = LedgerImage.prefixSize
            records = up8(meta + Int(metaLength))
            tokens = records + Int(n) * LedgerImage.recordSize
            texts = up8(tokens + Int(tokenBytes))
            instants = up8(texts + Int(textBytes))
            packed = instants + 8 * Int(events)
            expires = up8(packed + 4 * Int(events))
            locked = expires + 8 * Int(n)
            stored = locked + 8 * Int(n)
            index = up8(stored + Int(n))
            end = index + 8 * Int(indexSlots)
        }
    }

    /// What `write` will produce: the image's length is known before its first byte is written.
    public struct Plan {
        public let length: Int
        let layout: Layout
        let prefix: [UInt64]
        let meta: [UInt8]
    }

    public static func plan(_ ledger: Ledger) -> Plan {
        var w = ByteWriter()
        for table in [ledger.tenants, ledger.operations] {
            w.u32(UInt32(table.count))
            table.strings.forEach { w.string($0) }
        }
        let counts = ledger.counts
        w.u64(UInt64(counts.events))
        w.u64(UInt64(counts.requests))
        w.u32(UInt32(counts.outcomes.count))
        counts.outcomes.forEach { w.u64(UInt64($0)) }
        w.u32(UInt32(counts.kinds.count))
        counts.kinds.forEach { w.u64(UInt64($0)) }
        w.u64(UInt64(ledger.malformedCount))
        w.u32(UInt32(ledger.malformed.count))
        for m in ledger.malformed {
            w.i64(m.position)
            w.string(m.reason)
        }
        w.u8(ledger.lastEventAt == nil ? 0 : 1)
        w.i64(ledger.lastEventAt?.ms ?? 0)
        w.u32(UInt32(ledger.storeCount))
        var tokenBytes = 0, textBytes = 0
        for r in ledger.records {
            tokenBytes += r.token.utf8.count
            if case .text(let t) = r.fingerprint.storage { textBytes += t.utf8.count }
        }
        let prefix = [UInt64(w.bytes.count), UInt64(ledger.records.count), UInt64(tokenBytes), UInt64(textBytes),
                      UInt64(ledger.times.count), UInt64(ledger.index.storedSlots.count), 0, 0]
        let layout = Layout(metaLength: prefix[0], records: prefix[1], tokenBytes: prefix[2], textBytes: prefix[3],
                            events: prefix[4], indexSlots: prefix[5])!
        return Plan(length: layout.end, layout: layout, prefix: prefix, meta: w.bytes)
    }

    /// Hands `sink` the image of `ledger` (as `plan` measured it) in pieces, in order, each byte once.
    public static func write(_ ledger: Ledger, plan: Plan,
                             to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try withoutActuallyEscaping(sink) { sink in
            var stage = Stage(sink: sink)
            for v in plan.prefix { try stage.u64(v) }
            try plan.meta.withUnsafeBytes { try stage.bytes($0) }
            try stage.pad(to: plan.layout.records)
            var tokenAt: UInt64 = 0, textAt: UInt64 = 0
            var rec = [UInt8](repeating: 0, count: recordSize)
            for r in ledger.records {
                let n = UInt32(r.token.utf8.count)
                rec.withUnsafeMutableBytes { p in
                    p.storeBytes(of: r.createdAt.ms.littleEndian, toByteOffset: 0, as: Int64.self)
                    p.storeBytes(of: r.updatedAt.ms.littleEndian, toByteOffset: 8, as: Int64.self)
                    p.storeBytes(of: r.expiresAt.ms.littleEndian, toByteOffset: 16, as: Int64.self)
                    p.storeBytes(of: r.lockedUntil.ms.littleEndian, toByteOffset: 24, as: Int64.self)
                    p.storeBytes(of: r.lastSeen.ms.littleEndian, toByteOffset: 32, as: Int64.self)
                    p.storeBytes(of: r.requestRef.littleEndian, toByteOffset: 40, as: Int64.self)
                    p.storeBytes(of: r.responseRef.littleEndian, toByteOffset: 48, as: Int64.self)
                    p.storeBytes(of: tokenAt.littleEndian, toByteOffset: 56, as: UInt64.self)
                    let kind: UInt8
                    switch r.fingerprint.storage {
                    case .sha256(let a, let b, let c, let d):
                        kind = 0
                        p.storeBytes(of: a.littleEndian, toByteOffset: 64, as: UInt64.self)
                        p.storeBytes(of: b.littleEndian, toByteOffset: 72, as: UInt64.self)
                        p.storeBytes(of: c.littleEndian, toByteOffset: 80, as: UInt64.self)
                        p.storeBytes(of: d.littleEndian, toByteOffset: 88, as: UInt64.self)
                    case .text(let t):
                        kind = 1
                        let count = UInt64(t.utf8.count)
                        p.storeBytes(of: textAt.littleEndian, toByteOffset: 64, as: UInt64.self)
                        p.storeBytes(of: count.littleEndian, toByteOffset: 72, as: UInt64.self)
                        p.storeBytes(of: UInt64(0), toByteOffset: 80, as: UInt64.self)
                        p.storeBytes(of: UInt64(0), toByteOffset: 88, as: UInt64.self)
                        textAt += count
                    }
                    p.storeBytes(of: r.tenantID.littleEndian, toByteOffset: 96, as: Int32.self)
                    p.storeBytes(of: r.operationID.littleEndian, toByteOffset: 100, as: Int32.self)
                    p.storeBytes(of: n.littleEndian, toByteOffset: 104, as: UInt32.self)
                    p.storeBytes(of: r.version.littleEndian, toByteOffset: 108, as: Int32.self)
                    p.storeBytes(of: r.executions.littleEndian, toByteOffset: 112, as: Int32.self)
                    p.storeBytes(of: r.hits.littleEndian, toByteOffset: 116, as: Int32.self)
                    p.storeBytes(of: r.mismatches.littleEndian, toByteOffset: 120, as: Int32.self)
                    p.storeBytes(of: r.conflicts.littleEndian, toByteOffset: 124, as: Int32.self)
                    p.storeBytes(of: r.reexecutions.littleEndian, toByteOffset: 128, as: Int32.self)
                    p.storeBytes(of: r.adminEvents.littleEndian, toByteOffset: 132, as: Int32.self)
                    p.storeBytes(of: r.responseStatus.littleEndian, toByteOffset: 136, as: Int16.self)
                    p.storeBytes(of: LedgerImage.code(r.stored), toByteOffset: 138, as: UInt8.self)
                    p.storeBytes(of: r.store, toByteOffset: 139, as: UInt8.self)
                    p.storeBytes(of: kind, toByteOffset: 140, as: UInt8.self)
                }
                tokenAt += UInt64(n)
                try rec.withUnsafeBytes { try stage.bytes($0) }
            }
            for r in ledger.records {
                var token = r.token
                try token.withUTF8 { try stage.bytes(UnsafeRawBufferPointer($0)) }
            }
            try stage.pad(to: plan.layout.texts)
            for r in ledger.records {
                guard case .text(var t) = r.fingerprint.storage else { continue }
                try t.withUTF8 { try stage.bytes(UnsafeRawBufferPointer($0)) }
            }
            try stage.pad(to: plan.layout.instants)
            try stage.flush()
            try ledger.times.instants.withUnsafeBytes { try sink($0) }
            try ledger.times.packed.withUnsafeBytes { try sink($0) }
            stage.written += 12 * ledger.times.count
            try stage.pad(to: plan.layout.expires)
            // The columns, a few thousand records at a time.
            let records = ledger.records
            func column<T: FixedWidthInteger>(_ value: (TokenRecord) -> T) throws {
                var part: [T] = []
                part.reserveCapacity(8192)
                var k = 0
                while k < records.count {
                    let m = min(8192, records.count - k)
                    part.removeAll(keepingCapacity: true)
                    for i in k..<(k + m) { part.append(value(records[i]).littleEndian) }
                    try part.withUnsafeBytes { try stage.bytes($0) }
                    k += m
                }
            }
            try column { $0.expiresAt.ms }
            try column { $0.lockedUntil.ms }
            try column { LedgerImage.code($0.stored) }
            try stage.pad(to: plan.layout.index)
            try stage.flush()
            try ledger.index.storedSlots.withUnsafeBytes { try sink($0) }
            stage.written += 8 * ledger.index.storedSlots.count
            precondition(stage.written == plan.length, "LedgerImage: the plan does not fit the ledger")
        }
    }

    /// A stored status's number in the image (its position in `StoredStatus.allCases`).
    static func code(_ s: StoredStatus) -> UInt8 {
        switch s {
        case .inProgress: return 0
        case .completed: return 1
        case .failed: return 2
        case .purged: return 3
        }
    }

    /// Gathers small pieces into 64 KiB before handing them on.
    private struct Stage {
        let sink: (UnsafeRawBufferPointer) throws -> Void
        var buffer: [UInt8] = []
        var written = 0

        init(sink: @escaping (UnsafeRawBufferPointer) throws -> Void) {
            self.sink = sink
            buffer.reserveCapacity(64 << 10)
        }

        mutating func bytes(_ b: UnsafeRawBufferPointer) throws {
            if buffer.count + b.count > 64 << 10 { try flush() }
            if b.count > 64 << 10 {
                try sink(b)
            } else {
                buffer.append(contentsOf: b)
            }
            written += b.count
        }

        mutating func u64(_ v: UInt64) throws {
            try withUnsafeBytes(of: v.littleEndian) { try bytes($0) }
        }

        mutating func pad(to offset: Int) throws {
            let zeros = [UInt8](repeating: 0, count: offset - written)
            try zeros.withUnsafeBytes { try bytes($0) }
        }

        mutating func flush() throws {
            guard !buffer.isEmpty else { return }
            try buffer.withUnsafeBytes { try sink($0) }
            buffer.removeAll(keepingCapacity: true)
        }
    }

    /// What a record's fields must lie within: the meta's table sizes and the sections' lengths.
    struct Limits {
        let tenants: Int32, operations: Int32, stores: Int, tokenBytes: Int, textBytes: Int
    }

    /// The image's prefix, layout and meta (a ledger with no records yet), the image's first reads: nil when the
    /// bytes do not hold one.
    static func opening(_ image: UnsafeRawBufferPointer, policy: Policy,
                        verify: (Range<Int>) throws -> Void) throws -> (Layout, [UInt64], Ledger, Limits)? {
        guard let base = image.baseAddress, image.count >= prefixSize else { return nil }
        try verify(0..<prefixSize)
        func u64(_ at: Int) -> UInt64 { UInt64(littleEndian: base.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
        let prefix = (0..<8).map { u64(8 * $0) }
        guard let layout = Layout(metaLength: prefix[0], records: prefix[1], tokenBytes: prefix[2],
                                  textBytes: prefix[3], events: prefix[4], indexSlots: prefix[5]),
              layout.end == image.count, prefix[1] < 1 << 29 else { return nil }
        var ledger = Ledger(policy: policy)
        try verify(layout.meta..<(layout.meta + Int(prefix[0])))
        guard ledger.readMeta(Array(image[layout.meta..<(layout.meta + Int(prefix[0]))])) else { return nil }
        let limits = Limits(tenants: Int32(ledger.tenants.count), operations: Int32(ledger.operations.count),
                            stores: ledger.storeCount, tokenBytes: Int(prefix[2]), textBytes: Int(prefix[3]))
        return (layout, prefix, ledger, limits)
    }

    /// Where record `i`'s token lies in the image; nil when its offset or length is out of range. The record's
    /// bytes must have been verified.
    @inline(__always)
    static func tokenRange(_ i: Int, image base: UnsafeRawPointer, layout: Layout, limits: Limits) -> Range<Int>? {
        let p = base + layout.records + i * recordSize
        let off = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 56, as: UInt64.self))
        let len = UInt64(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 104, as: UInt32.self)))
        guard off <= UInt64(limits.tokenBytes), len <= UInt64(limits.tokenBytes) - off else { return nil }
        return (layout.tokens + Int(off))..<(layout.tokens + Int(off + len))
    }

    /// Record `i` of the image; nil when a value is out of range. The record's bytes and its token's must have
    /// been verified; a text fingerprint's range is verified here.
    @inline(__always)
    static func decodeRecord(_ i: Int, image: UnsafeRawBufferPointer, layout: Layout, limits: Limits,
                             verify: (Range<Int>) throws -> Void) throws -> TokenRecord? {
        guard let base = image.baseAddress, let tokenAt = tokenRange(i, image: base, layout: layout, limits: limits)
        else { return nil }
        let p = base + layout.records + i * recordSize
        func i64(_ at: Int) -> Int64 { Int64(littleEndian: p.loadUnaligned(fromByteOffset: at, as: Int64.self)) }
        func i32(_ at: Int) -> Int32 { Int32(littleEndian: p.loadUnaligned(fromByteOffset: at, as: Int32.self)) }
        let tenantID = i32(96), operationID = i32(100)
        let stored = Int(p.load(fromByteOffset: 138, as: UInt8.self))
        let statuses = StoredStatus.allCases
        guard tenantID >= 0, tenantID < limits.tenants, operationID >= 0, operationID < limits.operations,
              stored < statuses.count else { return nil }
        let token = String(decoding: UnsafeRawBufferPointer(rebasing: image[tokenAt]), as: UTF8.self)
        let fingerprint: Fingerprint
        switch p.load(fromByteOffset: 140, as: UInt8.self) {
        case 0:
            fingerprint = Fingerprint(storage: .sha256(UInt64(bitPattern: i64(64)), UInt64(bitPattern: i64(72)),
                                                       UInt64(bitPattern: i64(80)), UInt64(bitPattern: i64(88))))
        case 1:
            let at = UInt64(bitPattern: i64(64)), count = UInt64(bitPattern: i64(72))
            guard at <= UInt64(limits.textBytes), count <= UInt64(limits.textBytes) - at else { return nil }
            let range = (layout.texts + Int(at))..<(layout.texts + Int(at + count))
            try verify(range)
            fingerprint = Fingerprint(storage: .text(String(decoding: UnsafeRawBufferPointer(rebasing: image[range]),
                                                            as: UTF8.self)))
        default: return nil
        }
        var r = TokenRecord(tenantID: tenantID, operationID: operationID, token: token, fingerprint: fingerprint,
                            stored: statuses[stored], createdAt: Instant(ms: i64(0)),
                            expiresAt: Instant(ms: i64(16)), lockedUntil: Instant(ms: i64(24)))
        r.updatedAt = Instant(ms: i64(8))
        r.lastSeen = Instant(ms: i64(32))
        r.requestRef = i64(40)
        r.responseRef = i64(48)
        r.version = i32(108)
        r.executions = i32(112)
        r.hits = i32(116)
        r.mismatches = i32(120)
        r.conflicts = i32(124)
        r.reexecutions = i32(128)
        r.adminEvents = i32(132)
        r.responseStatus = Int16(littleEndian: p.loadUnaligned(fromByteOffset: 136, as: Int16.self))
        r.store = p.load(fromByteOffset: 139, as: UInt8.self)
        if Int(r.store) >= limits.stores { return nil }
        return r
    }

    /// The ledger in `image` under `policy`; nil when the bytes do not hold one (a length or value out of range).
    /// `verify` is called with each range before it is read and throws to stop the read (a checksum that does not
    /// match); `release` is told of ranges read that will not be read again.
    public static func read(_ image: UnsafeRawBufferPointer, policy: Policy,
                            verify: (Range<Int>) throws -> Void, release: (Range<Int>) -> Void) throws -> Ledger? {
        guard let base = image.baseAddress, let opened = try opening(image, policy: policy, verify: verify) else {
            return nil
        }
        let (layout, prefix, meta, limits) = opened
        var ledger = meta
        let n = Int(prefix[1]), events = Int(prefix[4]), slots = Int(prefix[5])

        // The records are decoded in parts, one per core, each into its own region of the array.
        let parts = n < 2 * batch ? 1 : max(1, min(4, ProcessInfo.processInfo.activeProcessorCount))
        var outcome = [PartOutcome](repeating: .done, count: parts)
        var initializedCounts = [Int](repeating: 0, count: parts)
        // Decodes records first ..< last into `out` (record i at out[i]); `made` counts the records initialized
        // so far (from `first`).
        func decode(_ first: Int, _ last: Int, _ out: UnsafeMutablePointer<TokenRecord>, _ made: inout Int) throws -> Bool {
            var first = first
            let end = last
            while first < end {
                let last = min(end, first + batch)
                let recs = (layout.records + first * recordSize)..<(layout.records + last * recordSize)
                try verify(recs)
                // The tokens this batch names, checked as one range.
                var lo = Int.max, hi = 0
                for i in first..<last {
                    guard let t = tokenRange(i, image: base, layout: layout, limits: limits) else { return false }
                    lo = min(lo, t.lowerBound)
                    hi = max(hi, t.upperBound)
                }
                if lo < hi { try verify(lo..<hi) }
                for i in first..<last {
                    guard let r = try decodeRecord(i, image: image, layout: layout, limits: limits, verify: verify)
                    else { return false }
                    (out + i).initialize(to: r)
                    made += 1
                }
                release(recs)
                if lo < hi { release(lo..<hi) }
                first = last
            }
            return true
        }
        let records = [TokenRecord](unsafeUninitializedCapacity: n) { out, initialized in
            outcome.withUnsafeMutableBufferPointer { outcomes in
                initializedCounts.withUnsafeMutableBufferPointer { counts in
                    let shared = PartSlots(out: out.baseAddress, outcomes: outcomes.baseAddress!,
                                           counts: counts.baseAddress!)
                    func run(_ k: Int) {
                        let first = n * k / parts, last = n * (k + 1) / parts
                        guard first < last, let o = shared.out else { return }
                        var made = 0
                        do {
                            shared.outcomes[k] = try decode(first, last, o, &made) ? .done : .bad
                        } catch {
                            shared.outcomes[k] = .failed(error)
                        }
                        shared.counts[k] = made
                    }
                    if parts == 1 {
                        run(0)
                    } else {
                        // concurrentPerform returns once every part has run, so `run` does not outlive this.
                        withoutActuallyEscaping(run) { run in
                            let work = PartWork(run: run)
                            DispatchQueue.concurrentPerform(iterations: parts) { work.run($0) }
                        }
                    }
                }
            }
            if outcome.allSatisfy({ if case .done = $0 { true } else { false } }) {
                initialized = n
            } else {
                // A part stopped: give back what every part made, and keep nothing.
                for k in 0..<parts where initializedCounts[k] > 0 {
                    (out.baseAddress! + n * k / parts).deinitialize(count: initializedCounts[k])
                }
                initialized = 0
            }
        }
        for o in outcome {
            switch o {
            case .done: continue
            case .bad: return nil
            case .failed(let e): throw e
            }
        }
        // The columns must say what the records say (`stats` reads them in place, `list` the records).
        if n > 0 {
            let columns = layout.expires..<(layout.stored + n)
            try verify(columns)
            let agree = records.withUnsafeBufferPointer { rs in
                for i in 0..<n {
                    let x = Int64(littleEndian: base.loadUnaligned(fromByteOffset: layout.expires + 8 * i, as: Int64.self))
                    let l = Int64(littleEndian: base.loadUnaligned(fromByteOffset: layout.locked + 8 * i, as: Int64.self))
                    let s = base.load(fromByteOffset: layout.stored + i, as: UInt8.self)
                    if x != rs[i].expiresAt.ms || l != rs[i].lockedUntil.ms || s != code(rs[i].stored) { return false }
                }
                return true
            }
            guard agree else { return nil }
            release(columns)
        }
        ledger.records = records

        // The arrays, copied from the image a few megabytes at a time.
        func copy<T: FixedWidthInteger>(_ type: T.Type, at start: Int, count: Int) throws -> [T] {
            let size = MemoryLayout<T>.size
            return try [T](unsafeUninitializedCapacity: count) { out, initialized in
                let step = (4 << 20) / size
                var k = 0
                while k < count {
                    let m = min(step, count - k)
                    let range = (start + k * size)..<(start + (k + m) * size)
                    try verify(range)
                    UnsafeMutableRawPointer(out.baseAddress! + k).copyMemory(from: base + range.lowerBound, byteCount: m * size)
                    release(range)
                    k += m
                    initialized = k
                }
            }
        }
        // The index as it was written: its slots name positions below n, one per record.
        guard let index = RecordIndex(storedSlots: try copy(UInt64.self, at: layout.index, count: slots), count: n,
                                      records: n) else { return nil }
        ledger.index = index
        let instants = try copy(Int64.self, at: layout.instants, count: events)
        let packed = try copy(UInt32.self, at: layout.packed, count: events)
        let limit = UInt32(truncatingIfNeeded: n)
        guard packed.allSatisfy({ $0 >> 3 < limit }) else { return nil }
        ledger.times = EventTimes(instants: instants, packed: packed)
        return ledger
    }
}

extension Ledger {
    /// Reads the meta section `LedgerImage.plan` wrote; false when it does not hold one.
    mutating func readMeta(_ bytes: [UInt8]) -> Bool {
        var r = ByteReader(bytes: bytes)
        var tables: [[String]] = []
        for _ in 0..<2 {
            let n = Int(r.u32())
            guard n <= bytes.count else { return false }
            tables.append((0..<n).map { _ in r.string() })
        }
        tenants = Interner(strings: tables[0])
        operations = Interner(strings: tables[1])
        guard tenants.count == tables[0].count, operations.count == tables[1].count else { return false }
        counts.events = Int(r.u64())
        counts.requests = Int(r.u64())
        guard Int(r.u32()) == counts.outcomes.count else { return false }
        for i in counts.outcomes.indices { counts.outcomes[i] = Int(r.u64()) }
        guard Int(r.u32()) == counts.kinds.count else { return false }
        for i in counts.kinds.indices { counts.kinds[i] = Int(r.u64()) }
        malformedCount = Int(r.u64())
        let bad = Int(r.u32())
        guard bad <= 500 else { return false }
        malformed = (0..<bad).map { _ in MalformedEntry(position: r.i64(), reason: r.string()) }
        let hasLast = r.u8() == 1
        let last = r.i64()
        lastEventAt = hasLast ? Instant(ms: last) : nil
        storeCount = Int(r.u32())
        return !r.overrun && r.at == bytes.count && storeCount >= 1 && storeCount <= 256
    }
}

/// How a part of `LedgerImage.read`'s record decoding ended.
private enum PartOutcome {
    case done, bad, failed(any Error)
}

/// The regions the parts of `LedgerImage.read` write, each part only its own indices: shared across the threads
/// of `DispatchQueue.concurrentPerform`, which returns once every part is done.
private struct PartSlots: @unchecked Sendable {
    let out: UnsafeMutablePointer<TokenRecord>?
    let outcomes: UnsafeMutablePointer<PartOutcome>
    let counts: UnsafeMutablePointer<Int>
}

/// The work of one part of `LedgerImage.read`, handed to `DispatchQueue.concurrentPerform`: each part touches
/// only its own records and outcome slot, and the shared reads it does are of immutable bytes.
private struct PartWork: @unchecked Sendable {
    let run: (Int) -> Void
}
