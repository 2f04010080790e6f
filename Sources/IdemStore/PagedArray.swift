/// An append-only array in fixed pages of 64 Ki elements: it grows without copying, and without the up-to-double
/// slack (and the copy's momentary peak) of a growing `Array`.
struct PagedArray<Element> {
    private static var pageBits: Int { 16 }
    private var pages: [[Element]] = []
    private(set) var count = 0

    mutating func append(_ x: Element) {
        if count & ((1 << Self.pageBits) - 1) == 0 {
            var page: [Element] = []
            page.reserveCapacity(1 << Self.pageBits)
            pages.append(page)
        }
        pages[pages.count - 1].append(x)
        count += 1
    }

    subscript(i: Int) -> Element { pages[i >> Self.pageBits][i & ((1 << Self.pageBits) - 1)] }

    var approximateBytes: Int { pages.count * (MemoryLayout<Element>.stride << Self.pageBits) }
}
