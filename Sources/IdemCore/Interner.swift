import Foundation

/// A table of distinct strings addressed by a small integer: tenants and operations repeat on every record.
///
/// The fold asks for the tenant's id on every event: a `[String: Int32]` dictionary hashed each string with SipHash
/// (about 600 instructions a lookup under callgrind, 7 % of a cold load). This keeps its own open-addressing table
/// of ids beside each string's `StableHash` (8 bytes at a time); a probe compares the 64-bit hashes first and the
/// strings only when they agree, and equal strings from the decoder's cache share storage, so the compare is a
/// pointer check.
public struct Interner: Sendable {
    public private(set) var strings: [String] = []
    /// Each string's hash, by id.
    private var hashes: [UInt64] = []
    /// id + 1 per slot, 0 for an empty one; a power of two long, at most half full.
    private var slots: [Int32] = []
    private var mask = 0

    public init() {}

    /// A table holding `strings` in this order (each once): a ledger read back from a checkpoint.
    init(strings: [String]) {
        for s in strings { _ = id(s) }
    }

    @inline(__always)
    static func hash(_ s: String) -> UInt64 {
        var h = StableHash.seed
        StableHash.mix(&h, s)
        return StableHash.finish(h)
    }

    /// The id of `s`, adding it when new.
    public mutating func id(_ s: String) -> Int32 {
        let h = Interner.hash(s)
        if let found = find(s, h) { return found }
        let id = Int32(strings.count)
        strings.append(s)
        hashes.append(h)
        if strings.count * 2 > slots.count {
            let capacity = max(16, slots.count * 2)
            slots = [Int32](repeating: 0, count: capacity)
            mask = capacity - 1
            for k in hashes.indices { place(Int32(k), hashes[k]) }
        } else {
            place(id, h)
        }
        return id
    }

    /// The id of the string `bytes` spell, adding it when new: `id(_:)` without a `String` unless it is new.
    public mutating func id(bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        var h = StableHash.seed
        StableHash.mix(&h, bytes)
        h = StableHash.finish(h)
        if !slots.isEmpty {
            var i = Int(truncatingIfNeeded: h) & mask
            while true {
                let v = slots[i]
                if v == 0 { break }
                let k = Int(v) - 1
                if hashes[k] == h && Interner.equal(strings[k], bytes) { return Int32(k) }
                i = (i + 1) & mask
            }
        }
        return id(String(decoding: bytes, as: UTF8.self))
    }

    /// Whether `s` spells `bytes`.
    @inline(__always)
    static func equal(_ s: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if let same = s.utf8.withContiguousStorageIfAvailable({ k -> Bool in
            guard k.count == bytes.count else { return false }
            guard let a = k.baseAddress, let b = bytes.baseAddress else { return true }
            return memcmp(a, b, k.count) == 0
        }) {
            return same
        }
        return s.utf8.elementsEqual(bytes)
    }

    /// The id of `s` if it is known.
    public func lookup(_ s: String) -> Int32? { find(s, Interner.hash(s)) }

    @inline(__always)
    private func find(_ s: String, _ h: UInt64) -> Int32? {
        guard !slots.isEmpty else { return nil }
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let v = slots[i]
            if v == 0 { return nil }
            let k = Int(v) - 1
            if hashes[k] == h && strings[k] == s { return Int32(k) }
            i = (i + 1) & mask
        }
    }

    private mutating func place(_ id: Int32, _ h: UInt64) {
        var i = Int(truncatingIfNeeded: h) & mask
        while slots[i] != 0 { i = (i + 1) & mask }
        slots[i] = id + 1
    }

    public subscript(id: Int32) -> String { strings[Int(id)] }
    public var count: Int { strings.count }
}
