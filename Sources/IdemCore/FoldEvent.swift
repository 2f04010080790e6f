import Foundation

/// Bytes of a `FoldPart`: `count` bytes from `start` of its `bytes`.
public struct ByteSpan: Sendable, Hashable {
    public var start: UInt32
    public var count: UInt32

    public init(start: UInt32, count: UInt32) {
        self.start = start
        self.count = count
    }
}

/// A fingerprint as a `FoldEvent` holds it: the usual SHA-256 packed, any other text as bytes of its part.
public enum FoldFingerprint: Sendable, Hashable {
    case none
    case sha256(UInt64, UInt64, UInt64, UInt64)
    case text(ByteSpan)
}

/// One journal event reduced to what the fold reads (`Ledger.fold`), with no `String` in it: its tenant, token and
/// operation are spans of its part's bytes.
///
/// A bulk read that only folds (`stats`, `list`, a checkpoint's rebuild) decodes lines into these instead of
/// `StoreEvent`s. A `StoreEvent` holds up to eight strings: each made by a decoding thread and released by the
/// folding one, an allocation or a cache lookup and two atomic reference counts apiece, about a fifth of a cold
/// load's CPU at a million tokens. These are plain values: copying, keeping and freeing an array of them costs no
/// reference count, and the strings a record keeps are made once, by the fold, for a token it has not seen.
/// What a `StoreEvent` has beyond these (actors, reasons, errors, bodies) is not read; the line's syntax and its
/// fields' values are checked as for a `StoreEvent` (the same `EventLineDecoder` parse).
public struct FoldEvent: Sendable, Hashable {
    /// The byte offset of the line's start (`StoreEvent.ref`).
    public var ref: Int64
    public var at: Instant
    public var expiresAt: Instant?
    public var lockedUntil: Instant?
    public var fingerprint: FoldFingerprint
    public var tenant: ByteSpan
    /// Its tenant's place in its part's `tenants` (the part's distinct tenants).
    public var tenantSlot: UInt32
    /// Its operation's place in its part's `operations`; `FoldEvent.noSlot` when it has none.
    public var operationSlot: UInt32
    public var token: ByteSpan
    public var operation: ByteSpan?
    public var responseStatus: Int?
    public var kind: EventKind
    public var outcome: Outcome?

    /// The `operationSlot` of an event without an operation.
    public static let noSlot = UInt32.max
}

/// Fold events in file order and the bytes their spans point into: one decoded part of a block (`BlockDecoder`).
public struct FoldPart: Sendable {
    public internal(set) var events: [FoldEvent] = []
    /// Starts with one byte no span uses, so its buffer always has an address (`withEvents`), even when every
    /// string is empty.
    public internal(set) var bytes: [UInt8] = [0]
    /// Its events' distinct tenants, each the span of the first event that names it (`FoldEvent.tenantSlot`): the
    /// fold takes a tenant's id once a part, not once an event (interning each event's tenant was a tenth of the
    /// folding thread's time, the one thread the read cannot spread).
    public var tenants: [ByteSpan] { tenantSet.spans }
    /// Its events' distinct operations, likewise (`FoldEvent.operationSlot`): interned once a part, not once for
    /// each new record (twice for an execution).
    public var operations: [ByteSpan] { operationSet.spans }
    private var tenantSet = SpanSet()
    private var operationSet = SpanSet()

    public init() {}

    /// Calls `body` with the events and the bytes their spans point into, for `Ledger.apply(fold:bytes:)`.
    public func withEvents<T>(_ body: (UnsafeBufferPointer<FoldEvent>, UnsafePointer<UInt8>) throws -> T) rethrows -> T {
        try events.withUnsafeBufferPointer { e in
            // `bytes` is never empty: it has an address.
            try bytes.withUnsafeBufferPointer { b in try body(e, b.baseAddress!) }
        }
    }

    /// Makes room for `events` more events and `bytes` more bytes.
    public mutating func reserveCapacity(events more: Int, bytes moreBytes: Int) {
        events.reserveCapacity(events.count + more)
        bytes.reserveCapacity(bytes.count + moreBytes)
    }

    /// The slot in `tenants` of the tenant spelt as `span`'s bytes, added (as `span`) when new.
    @inline(__always)
    mutating func tenantSlot(_ span: ByteSpan) -> UInt32 {
        bytes.withUnsafeBufferPointer { b in tenantSet.slot(span, in: b.baseAddress!) }
    }

    /// The slot in `operations` of the operation spelt as `span`'s bytes (added when new); `noSlot` for none.
    @inline(__always)
    mutating func operationSlot(_ span: ByteSpan?) -> UInt32 {
        guard let span else { return FoldEvent.noSlot }
        return bytes.withUnsafeBufferPointer { b in operationSet.slot(span, in: b.baseAddress!) }
    }

    /// Copies `b` to the end of `bytes`.
    @inline(__always)
    mutating func span(_ b: UnsafeBufferPointer<UInt8>) -> ByteSpan {
        let s = ByteSpan(start: UInt32(truncatingIfNeeded: bytes.count), count: UInt32(truncatingIfNeeded: b.count))
        bytes.append(contentsOf: b)
        return s
    }

    private mutating func span(_ text: String) -> ByteSpan {
        var copy = text
        return copy.withUTF8 { span($0) }
    }

    /// Adds `e` (its strings copied into `bytes`): an event a reader had as a `StoreEvent` (a rotated file's last
    /// line), or a test's.
    public mutating func append(_ e: StoreEvent) {
        let fingerprint: FoldFingerprint
        switch e.fingerprint?.storage {
        case nil: fingerprint = .none
        case .sha256(let a, let b, let c, let d)?: fingerprint = .sha256(a, b, c, d)
        case .text(let t)?: fingerprint = .text(span(t))
        }
        let tenant = span(e.tenant), token = span(e.token), operation = e.operation.map { span($0) }
        events.append(FoldEvent(
            ref: e.ref, at: e.at, expiresAt: e.expiresAt, lockedUntil: e.lockedUntil, fingerprint: fingerprint,
            tenant: tenant, tenantSlot: tenantSlot(tenant), operationSlot: operationSlot(operation), token: token,
            operation: operation, responseStatus: e.responseStatus, kind: e.kind, outcome: e.outcome))
    }

    /// The bytes of `s`.
    @inline(__always)
    public func withBytes<T>(_ s: ByteSpan, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        bytes.withUnsafeBufferPointer { b in
            body(UnsafeBufferPointer(rebasing: b[Int(s.start)..<Int(s.start) + Int(s.count)]))
        }
    }

    /// The text of `s`.
    public func string(_ s: ByteSpan) -> String { withBytes(s) { String(decoding: $0, as: UTF8.self) } }
}

/// Distinct byte strings of one part, each kept as the span where it first appeared, found again through a small
/// open-addressing table (`FoldPart.tenants`, `FoldPart.operations`).
struct SpanSet: Sendable {
    private(set) var spans: [ByteSpan] = []
    /// The slot + 1, 0 when empty; a power of two long, at most half full.
    private var table: [UInt32] = []
    private var hashes: [UInt64] = []

    /// The slot of the bytes of `span` (in the part's bytes at `base`), added when new.
    @inline(__always)
    mutating func slot(_ span: ByteSpan, in base: UnsafePointer<UInt8>) -> UInt32 {
        if table.isEmpty { table = [UInt32](repeating: 0, count: 64) }
        let p = base + Int(span.start), n = Int(span.count)
        let h = SpanSet.hash(p, n)
        let mask = table.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let v = table[i]
            if v == 0 { break }
            let known = spans[Int(v) - 1]
            if Int(known.count) == n && memcmp(base + Int(known.start), p, n) == 0 { return v - 1 }
            i = (i + 1) & mask
        }
        let slot = UInt32(spans.count)
        spans.append(span)
        hashes.append(h)
        if spans.count * 2 > table.count {
            table = [UInt32](repeating: 0, count: table.count * 2)
            let mask = table.count - 1
            for (k, kh) in hashes.enumerated() {
                var j = Int(truncatingIfNeeded: kh) & mask
                while table[j] != 0 { j = (j + 1) & mask }
                table[j] = UInt32(k) + 1
            }
        } else {
            table[i] = slot + 1
        }
        return slot
    }

    /// A hash of `n` bytes at `p`, good enough for a few dozen distinct strings: their length and first and last
    /// eight bytes.
    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        let raw = UnsafeRawPointer(p)
        var a: UInt64 = 0, z: UInt64 = 0
        if n >= 8 {
            a = raw.loadUnaligned(as: UInt64.self)
            z = raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
        } else {
            for k in 0..<n { a = a << 8 | UInt64(p[k]) }
        }
        var h = (a &* 0x9E37_79B9_7F4A_7C15) ^ (z &* 0xC2B2_AE3D_27D4_EB4F) ^ UInt64(n)
        h ^= h >> 29
        return h &* 0x1656_67B1_9E37_79F9
    }
}
