/// The open containers `skipValue` is inside, innermost last: true for an object, false for an array.
///
/// The first 64 levels live in one word, so the usual shallow value allocates nothing.
struct ContainerStack {
    private var bits: UInt64 = 0
    private var deeper: [Bool] = []
    private(set) var depth = 0

    var isEmpty: Bool { depth == 0 }

    /// The innermost open container (true: an object), nil when none is open.
    var top: Bool? {
        guard depth > 0 else { return nil }
        if depth > 64 { return deeper.last }
        return bits & (1 << UInt64(depth - 1)) != 0
    }

    mutating func push(object: Bool) {
        if depth >= 64 {
            deeper.append(object)
        } else if object {
            bits |= 1 << UInt64(depth)
        } else {
            bits &= ~(1 << UInt64(depth))
        }
        depth += 1
    }

    mutating func pop() {
        guard depth > 0 else { return }
        if depth > 64 { deeper.removeLast() }
        depth -= 1
    }
}
