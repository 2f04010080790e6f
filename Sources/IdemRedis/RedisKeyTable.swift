import Glibc

/// The change tracker's keys and their states, about 64 bytes a key at a million keys (it was 117 with a
/// `[TrackedKey: Int32]` dictionary and 64-byte states): an open-addressing table of 4-byte slots, and per key a
/// `PackedKeyState` (40 bytes, its head number inside) and the rest of its key (`tails`, a string reference).
///
/// A key is kept as the number of its part up to its last `#` (its head; every key of one function shares it) and
/// the rest, which for a Powertools key is the record's token: the very string the ledger keeps, so a key costs no
/// string of its own. Past 65,534 distinct heads a new head gets no number and its keys are kept whole
/// (`wholeKey`), so every key is found the same way whatever came before it.
///
/// A slot holds a key's position + 1 in its low `positionBits` bits and the top bits of its key's hash above them,
/// so a probe reads a key's string only when those bits agree (the strings and states are cache misses at this
/// size). The table never shrinks, so positions (below the most keys ever held) always fit. Growing rehashes the
/// keys (a first pass reserves for DBSIZE and does not grow).
struct RedisKeyTable: Sendable {
    static let wholeKey: UInt16 = 0xFFFF
    /// A freed position (in `holes`).
    static let dead: UInt16 = 0xFFFE

    private var slots: [UInt32] = []
    private var positionBits = 0
    private var mask = 0
    private(set) var count = 0
    private(set) var states: [PackedKeyState] = []
    private(set) var tails: [String] = []
    /// States that do not pack, by position.
    private(set) var overflow: [Int32: RedisKeyState] = [:]
    private var holes: [Int32] = []
    private(set) var heads: [String] = []
    private var headNumbers: [String: UInt16] = [:]
    /// The last head looked up, as bytes, and its number: keys of one function share it, so most look-ups are a
    /// comparison of a few bytes, without a string.
    private var lastHead: [UInt8] = []
    private var lastHeadNumber: UInt16 = RedisKeyTable.dead

    /// Makes room for `n` keys at once.
    mutating func reserve(_ n: Int) {
        states.reserveCapacity(n)
        tails.reserveCapacity(n)
        if n * 2 > slots.count { rebuild(capacity: n * 2) }
    }

    /// The position of `key`; with `insert`, a new position for it when it is not known (`inserted` true). `token`
    /// is reused as the rest of the key when it is those bytes.
    mutating func find(_ key: String, token: String?, insert: Bool) -> (position: Int, inserted: Bool)? {
        var k = key
        return k.withUTF8 { b -> (Int, Bool)? in
            var cut = b.count - 1
            while cut >= 0, b[cut] != 35 { cut -= 1 }
            let headBytes = UnsafeBufferPointer(rebasing: b[..<(cut + 1)])
            var head: UInt16
            if lastHeadNumber != RedisKeyTable.dead, headBytes.elementsEqual(lastHead) {
                head = lastHeadNumber
            } else {
                let text = String(decoding: headBytes, as: UTF8.self)
                if let n = headNumbers[text] {
                    head = n
                } else if heads.count >= Int(RedisKeyTable.dead) {
                    head = RedisKeyTable.wholeKey
                } else {
                    guard insert else { return nil }
                    head = UInt16(heads.count)
                    heads.append(text)
                    headNumbers[text] = head
                }
                lastHead = Array(headBytes)
                lastHeadNumber = head
            }
            let tail = head == RedisKeyTable.wholeKey ? b : UnsafeBufferPointer(rebasing: b[(cut + 1)...])
            let h = RedisKeyTable.hash(head, tail)
            if let p = lookup(head, tail, h) { return (p, false) }
            guard insert else { return nil }
            let text: String
            if var t = token, t.withUTF8({ RedisKeyTable.same($0, tail) }) { text = t }
            else if head == RedisKeyTable.wholeKey { text = key }
            else { text = String(decoding: tail, as: UTF8.self) }
            return (add(head, text, h), true)
        }
    }

    /// The state at `position`.
    func state(_ position: Int) -> RedisKeyState {
        let p = states[position]
        if p.flags & PackedKeyState.overflow != 0, var s = overflow[Int32(position)] {
            s.pass = p.pass
            return s
        }
        return RedisKeyState(p)
    }

    /// Replaces the state at `position`.
    mutating func set(_ position: Int, _ s: RedisKeyState) {
        let head = states[position].head
        if states[position].flags & PackedKeyState.overflow != 0 { overflow[Int32(position)] = nil }
        if let p = s.packed(head: head) {
            states[position] = p
        } else {
            states[position] = PackedKeyState(expiresAtMs: 0, valueDigest: 0, lockedDelta: 0, dropsDelta: 0,
                                              expiryDelta: 0, inProgressDelta: 0, pass: s.pass, stored: s.stored,
                                              flags: PackedKeyState.overflow, head: head)
            overflow[Int32(position)] = s
        }
    }

    func pass(_ position: Int) -> UInt32 { states[position].pass }
    mutating func setPass(_ position: Int, _ pass: UInt32) { states[position].pass = pass }

    /// Whether `position` holds a key.
    func isLive(_ position: Int) -> Bool { states[position].head != RedisKeyTable.dead }

    /// The key at `position`, whole.
    func key(_ position: Int) -> String {
        let head = states[position].head
        return head == RedisKeyTable.wholeKey ? tails[position] : heads[Int(head)] + tails[position]
    }

    /// Forgets `key`; its state before.
    mutating func remove(_ key: String) -> RedisKeyState? {
        guard let (p, _) = find(key, token: nil, insert: false) else { return nil }
        let old = state(p)
        let head = states[p].head
        var tail = tails[p]
        let h = tail.withUTF8 { RedisKeyTable.hash(head, $0) }
        // Backward-shift deletion: the slots after it that would probe past the hole move into it.
        var i = Int(truncatingIfNeeded: h) & mask
        while Int(slots[i] & positionMask) - 1 != p { i = (i + 1) & mask }
        var j = i
        while true {
            j = (j + 1) & mask
            let s = slots[j]
            if s == 0 { break }
            let q = Int(s & positionMask) - 1
            let home = Int(truncatingIfNeeded: keyHash(q)) & mask
            // Does q's home lie cyclically in (i, j]? Then it stays.
            if i <= j ? (home > i && home <= j) : (home > i || home <= j) { continue }
            slots[i] = s
            i = j
        }
        slots[i] = 0
        overflow[Int32(p)] = nil
        states[p].head = RedisKeyTable.dead
        states[p].flags = 0
        tails[p] = ""
        holes.append(Int32(p))
        count -= 1
        return old
    }

    // MARK: - The slots

    private var positionMask: UInt32 { positionBits >= 32 ? UInt32.max : (UInt32(1) << positionBits) - 1 }

    private func tag(_ h: UInt64) -> UInt32 {
        positionBits >= 32 ? 0 : UInt32(truncatingIfNeeded: h >> UInt64(32 + positionBits)) << positionBits
    }

    /// `mutating` only so that the call from `find`'s closure reads the table in place instead of copying it.
    private mutating func lookup(_ head: UInt16, _ tail: UnsafeBufferPointer<UInt8>, _ h: UInt64) -> Int? {
        guard count > 0 else { return nil }
        let t = tag(h), pm = positionMask
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let s = slots[i]
            if s == 0 { return nil }
            if s & ~pm == t {
                let p = Int(s & pm) - 1
                if states[p].head == head {
                    var text = tails[p]
                    if text.withUTF8({ RedisKeyTable.same($0, tail) }) { return p }
                }
            }
            i = (i + 1) & mask
        }
    }

    private mutating func add(_ head: UInt16, _ tail: String, _ h: UInt64) -> Int {
        if (count + 1) * 2 > slots.count { rebuild(capacity: max(16, slots.count * 2)) }
        let p: Int
        let placeholder = PackedKeyState(expiresAtMs: 0, valueDigest: 0, lockedDelta: 0, dropsDelta: 0, expiryDelta: 0,
                                         inProgressDelta: 0, pass: 0, stored: .completed, flags: 0, head: head)
        if let hole = holes.popLast() {
            p = Int(hole)
            states[p] = placeholder
            tails[p] = tail
        } else {
            p = states.count
            states.append(placeholder)
            tails.append(tail)
        }
        place(p, h)
        count += 1
        return p
    }

    private mutating func place(_ p: Int, _ h: UInt64) {
        var i = Int(truncatingIfNeeded: h) & mask
        while slots[i] != 0 { i = (i + 1) & mask }
        slots[i] = tag(h) | UInt32(p + 1)
    }

    private func keyHash(_ p: Int) -> UInt64 {
        var text = tails[p]
        let head = states[p].head
        return text.withUTF8 { RedisKeyTable.hash(head, $0) }
    }

    /// A table of `capacity` slots (a power of two at least that) holding every live key again.
    private mutating func rebuild(capacity: Int) {
        var size = 16
        while size < capacity { size <<= 1 }
        slots = [UInt32](repeating: 0, count: size)
        mask = size - 1
        positionBits = min(32, size.trailingZeroBitCount + 1)
        for p in states.indices where isLive(p) { place(p, keyHash(p)) }
    }

    @inline(__always)
    static func same(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        guard let x = a.baseAddress, let y = b.baseAddress else { return true }
        return memcmp(x, y, a.count) == 0
    }

    /// A multiply-rotate hash of the head number and the rest's bytes, 8 at a time.
    static func hash(_ head: UInt16, _ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0x243F_6A88_85A3_08D3 ^ UInt64(head)
        @inline(__always) func step(_ w: UInt64) {
            h = (h ^ w) &* 0x9E37_79B9_7F4A_7C15
            h = (h << 31) | (h >> 33)
        }
        let n = bytes.count
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            var i = 0
            while i + 8 <= n {
                step(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                i += 8
            }
            var last: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                last |= UInt64(base[i]) << shift
                shift += 8
                i += 1
            }
            step(last ^ UInt64(n) << 56)
        }
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 32
        return h
    }
}
