/// One line of a diff between two texts.
public enum DiffLine: Sendable, Hashable {
    case same(String)
    /// Only in the old text (the stored response).
    case removed(String)
    /// Only in the new text (the answer).
    case added(String)

    /// `  line`, `- line`, `+ line`.
    public var rendered: String {
        switch self {
        case .same(let s): return "  " + s
        case .removed(let s): return "- " + s
        case .added(let s): return "+ " + s
        }
    }
}

/// A line diff by longest common subsequence: small bodies, exact and readable output.
public enum LineDiff {
    /// Texts longer than this many lines each are compared line by line at the same positions instead.
    static let limit = 3000

    public static func diff(old: String, new: String) -> [DiffLine] {
        diff(old: split(old), new: split(new))
    }

    public static func diff(old a: [String], new b: [String]) -> [DiffLine] {
        guard a.count <= limit, b.count <= limit else { return positional(a, b) }
        let n = a.count, m = b.count
        // lcs[i][j]: the length of the longest common subsequence of a[i...] and b[j...].
        var lcs = [[Int32]](repeating: [Int32](repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        var out: [DiffLine] = []
        var i = 0, j = 0
        while i < n || j < m {
            if i < n, j < m, a[i] == b[j] {
                out.append(.same(a[i])); i += 1; j += 1
            } else if j < m, i == n || lcs[i][j + 1] > lcs[i + 1][j] {
                out.append(.added(b[j])); j += 1
            } else {
                out.append(.removed(a[i])); i += 1
            }
        }
        return out
    }

    static func positional(_ a: [String], _ b: [String]) -> [DiffLine] {
        var out: [DiffLine] = []
        for k in 0..<max(a.count, b.count) {
            let x = k < a.count ? a[k] : nil, y = k < b.count ? b[k] : nil
            if x == y, let x { out.append(.same(x)); continue }
            if let x { out.append(.removed(x)) }
            if let y { out.append(.added(y)) }
        }
        return out
    }

    static func split(_ text: String) -> [String] {
        text.isEmpty ? [] : text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }
}
