/// A table of distinct strings addressed by a small integer: tenants and operations repeat on every record.
public struct Interner: Sendable {
    public private(set) var strings: [String] = []
    private var ids: [String: Int32] = [:]

    public init() {}

    /// A table holding `strings` in this order (each once): a ledger read back from a checkpoint.
    init(strings: [String]) {
        for s in strings { _ = id(s) }
    }

    /// The id of `s`, adding it when new.
    public mutating func id(_ s: String) -> Int32 {
        if let id = ids[s] { return id }
        let id = Int32(strings.count)
        strings.append(s)
        ids[s] = id
        return id
    }

    /// The id of `s` if it is known.
    public func lookup(_ s: String) -> Int32? { ids[s] }

    public subscript(id: Int32) -> String { strings[Int(id)] }
    public var count: Int { strings.count }
}
