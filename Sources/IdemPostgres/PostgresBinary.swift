import IdemCore

/// One row's values in Postgres' binary form, by column: the same bytes whether they came from a `COPY ... (FORMAT
/// binary)` message or a binary `PGresult`, so every read decodes through one function.
protocol PGBinaryFields {
    /// The value's bytes, nil for NULL.
    func field(_ c: Int) -> UnsafeRawBufferPointer?
}

/// A row of a binary `PGresult`.
struct PGResultFields: PGBinaryFields {
    let rows: PGRows
    let row: Int
    func field(_ c: Int) -> UnsafeRawBufferPointer? { rows.bytes(row, c) }
}

/// A tuple of a binary COPY: `int16` field count, then per field an `int32` length (-1 for NULL) and its bytes.
/// `locate` finds the fields once; `field` is then two array reads.
struct PGCopyFields: PGBinaryFields {
    var base: UnsafeRawPointer
    var starts: [Int32] = []
    var lengths: [Int32] = []

    init(base: UnsafeRawPointer) { self.base = base }

    /// Finds the fields of the tuple at `offset` (within `end`); false for a tuple that does not parse.
    mutating func locate(at offset: Int, end: Int) -> Bool {
        guard offset + 2 <= end else { return false }
        let n = Int(PGBinary.int16(base + offset))
        guard n >= 0 else { return false }
        starts.removeAll(keepingCapacity: true)
        lengths.removeAll(keepingCapacity: true)
        var p = offset + 2
        for _ in 0..<n {
            guard p + 4 <= end else { return false }
            let len = PGBinary.int32(base + p)
            p += 4
            starts.append(Int32(p))
            lengths.append(len)
            if len > 0 {
                p += Int(len)
                guard p <= end else { return false }
            }
        }
        return true
    }

    func field(_ c: Int) -> UnsafeRawBufferPointer? {
        guard c < lengths.count, lengths[c] >= 0 else { return nil }
        return UnsafeRawBufferPointer(start: base + Int(starts[c]), count: Int(lengths[c]))
    }
}

/// Reading Postgres' binary values (network byte order).
enum PGBinary {
    /// Microseconds from 1970 to 2000-01-01, Postgres' timestamp epoch, in milliseconds.
    static let epoch2000Ms: Int64 = 946_684_800_000

    static func int16(_ p: UnsafeRawPointer) -> Int16 {
        Int16(bitPattern: UInt16(p.load(fromByteOffset: 0, as: UInt8.self)) << 8 | UInt16(p.load(fromByteOffset: 1, as: UInt8.self)))
    }

    static func int32(_ p: UnsafeRawPointer) -> Int32 {
        Int32(bitPattern: UInt32(bigEndian: p.loadUnaligned(as: UInt32.self)))
    }

    static func int64(_ p: UnsafeRawPointer) -> Int64 {
        Int64(bitPattern: UInt64(bigEndian: p.loadUnaligned(as: UInt64.self)))
    }

    static func text(_ b: UnsafeRawBufferPointer?) -> String? {
        guard let b else { return nil }
        return String(decoding: b, as: UTF8.self)
    }

    /// An `int2`, `int4` or `int8` as a whole number.
    static func integer(_ b: UnsafeRawBufferPointer?) -> Int64? {
        guard let b, let p = b.baseAddress else { return nil }
        switch b.count {
        case 8: return int64(p)
        case 4: return Int64(int32(p))
        case 2: return Int64(int16(p))
        default: return nil
        }
    }

    /// A `timestamp` or `timestamptz` (microseconds since 2000-01-01; `timestamp` read as UTC) as epoch
    /// milliseconds, rounded down; `infinity` is the far end of the calendar, `-infinity` its start.
    static func epochMs(_ b: UnsafeRawBufferPointer?) -> Int64? {
        guard let b, b.count == 8, let p = b.baseAddress else { return nil }
        let us = int64(p)
        if us == .max { return PostgresRow.never.ms }
        if us == .min { return 0 }
        let ms = us >= 0 ? us / 1000 : -((-us + 999) / 1000)
        return ms + epoch2000Ms
    }

    /// An `xid` (4 bytes, unsigned).
    static func xid(_ b: UnsafeRawBufferPointer?) -> Int64? {
        guard let b, b.count == 4, let p = b.baseAddress else { return nil }
        return Int64(UInt32(bitPattern: int32(p)))
    }

    /// `to_hex(h >> 4)` of an `int8` hash, as Postgres would print it: 60 bits, at most 15 hex digits for a
    /// positive hash (a Swift small string, no allocation), the two's complement for a negative one.
    static func hashHex(_ b: UnsafeRawBufferPointer?) -> String? {
        guard let b, b.count == 8, let p = b.baseAddress else { return nil }
        return String(UInt64(bitPattern: int64(p) >> 4), radix: 16)
    }

    /// The same through `cache`: a negative hash prints as 16 digits, one more than a Swift small string holds,
    /// so each such row would keep a heap string of its own (80 bytes of malloc) in the ledger's record. Rows with
    /// the same request have the same hash, and then share one string.
    static func hashHex(_ b: UnsafeRawBufferPointer?, cache: PGHexCache?) -> String? {
        guard let cache, let b, b.count == 8, let p = b.baseAddress else { return hashHex(b) }
        return cache.text(int64(p))
    }
}

/// The last texts of `int8` hashes by value, direct-mapped (4096 slots): see `PGBinary.hashHex(_:cache:)`. Used by
/// one reader on its own thread.
final class PGHexCache {
    private var keys = [Int64](repeating: 0, count: 4096)
    private var texts = [String?](repeating: nil, count: 4096)

    func text(_ hash: Int64) -> String {
        var h = UInt64(bitPattern: hash) &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 29
        let slot = Int(truncatingIfNeeded: h) & (keys.count - 1)
        if keys[slot] == hash, let t = texts[slot] { return t }
        let t = String(UInt64(bitPattern: hash >> 4), radix: 16)
        keys[slot] = hash
        texts[slot] = t
        return t
    }
}

extension PostgresRow {
    /// Decodes one row in `PostgresTable.selectList` order (binary values): id columns..., key, tenant, created,
    /// locked, expires, finished, status, response status, operation, method, path, fingerprint, xmin.
    /// `hashedFingerprint`: the fingerprint column is an `int8` hash (`jsonb_hash_extended`), printed as hex.
    static func decode<F: PGBinaryFields>(_ f: F, idCount: Int, preset: PostgresPreset,
                                          hashedFingerprint: Bool, hexCache: PGHexCache? = nil) throws -> PostgresRow {
        var rowID = PGBinary.text(f.field(0)) ?? ""
        if idCount > 1 { for c in 1..<idCount { rowID += "\u{1F}" + (PGBinary.text(f.field(c)) ?? "") } }
        let b = idCount
        let keyText = PGBinary.text(f.field(b)) ?? ""
        let tenant = PGBinary.text(f.field(b + 1)) ?? ""
        guard let created = PGBinary.epochMs(f.field(b + 2)) else {
            throw PostgresError.schema("\(Sanitizer.visible(keyText)): \(preset.createdCol) is NULL")
        }
        var operation = "", token = keyText
        if preset.keyRule == .nodeIdempotency {
            (operation, token) = PostgresRow.splitNodeKey(keyText)
        } else if let op = PGBinary.text(f.field(b + 8)) {
            operation = op
        } else if let method = PGBinary.text(f.field(b + 9)) {
            operation = method + " " + (PGBinary.text(f.field(b + 10)) ?? "")
        }
        let status = PGBinary.integer(f.field(b + 7))
        let fingerprint = hashedFingerprint ? PGBinary.hashHex(f.field(b + 11), cache: hexCache) : PGBinary.text(f.field(b + 11))
        return try PostgresRow(
            rowID: rowID, key: TokenKey(tenant: tenant, token: token), operation: operation, createdMs: created,
            lockedMs: PGBinary.epochMs(f.field(b + 3)), expiresMs: PGBinary.epochMs(f.field(b + 4)),
            finishedMs: PGBinary.epochMs(f.field(b + 5)), rawStatus: PGBinary.text(f.field(b + 6)),
            responseStatus: status.map { Int(clamping: $0) }, fingerprint: fingerprint,
            xmin: PGBinary.xid(f.field(b + 12)) ?? 0, preset: preset)
    }
}
