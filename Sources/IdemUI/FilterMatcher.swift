import IdemCore

/// A filter compiled against one ledger: tenant and operation terms become per-id tables, so matching a
/// million records is byte comparisons on tokens and table look-ups.
struct FilterMatcher {
    private enum Compiled {
        case text([Bool], [Bool], [UInt8])
        case status(TokenStatus)
        case tenant([Bool])
        case store([Bool])
        case operation([Bool])
        case token([UInt8])
        case records(Set<Int32>)
        case count(Filter.CountField, Filter.Comparison, Int32)
        case age(Filter.Comparison, TimeSpan)
        /// One flag per record (an `at:` window).
        case flags([Bool])
        case created(Filter.Comparison, Int64)
        case seen(Filter.Comparison, Int64)
        indirect case not(Compiled)
    }
    private let compiled: [Compiled]
    private let now: Instant

    /// `findings` are the current findings, for `finding:KIND` terms (the records of their tokens); `bodies` the
    /// records each `body:` needle found (a needle not searched yet matches nothing).
    init(_ filter: Filter, ledger: Ledger, now: Instant, findings: [Finding] = [], bodies: [String: Set<Int32>] = [:]) {
        self.now = now
        let anchor = ledger.lastEventAt
        func table(_ interner: Interner, _ needle: String) -> [Bool] {
            interner.strings.map { $0.lowercased().contains(needle) }
        }
        func compile(_ t: Filter.Term) -> Compiled {
            switch t {
            case .text(let s): return .text(table(ledger.tenants, s), table(ledger.operations, s), Array(s.utf8))
            case .status(let s): return .status(s)
            case .tenant(let s): return .tenant(table(ledger.tenants, s))
            case .store(let s):
                return .store((0..<max(ledger.storeCount, ledger.storeNames.count)).map { i in
                    i < ledger.storeNames.count && ledger.storeNames[i].lowercased().contains(s)
                })
            case .operation(let s): return .operation(table(ledger.operations, s))
            case .token(let s): return .token(Array(s.utf8))
            case .finding(let kind):
                var set: Set<Int32> = []
                for f in findings where f.kind == kind {
                    for i in f.tokens.indices {
                        if let r = ledger.indexOf(f.key(i)) { set.insert(Int32(r)) }
                    }
                }
                return .records(set)
            case .severity(let least):
                var set: Set<Int32> = []
                for f in findings where f.severity >= least {
                    for i in f.tokens.indices {
                        if let r = ledger.indexOf(f.key(i)) { set.insert(Int32(r)) }
                    }
                }
                return .records(set)
            case .count(let f, let c, let n): return .count(f, c, n)
            case .age(let c, let span): return .age(c, span)
            case .at(let window):
                let (lo, hi) = window.resolve(reference: now, anchor: anchor)
                return .flags(ledger.times.records(from: lo, to: hi, of: ledger.records.count))
            case .created(let c, let spec): return .created(c, spec.resolve(reference: now, anchor: anchor).ms)
            case .seen(let c, let spec): return .seen(c, spec.resolve(reference: now, anchor: anchor).ms)
            case .body(let needle): return .records(bodies[needle] ?? [])
            case .not(let inner): return .not(compile(inner))
            }
        }
        compiled = filter.terms.map(compile)
    }

    var matchesEverything: Bool { compiled.isEmpty }

    /// The indexes of matching records, evaluated a term at a time over the survivors of the previous terms,
    /// cheapest terms first, each in a tight loop with its tables bound once.
    func select(_ recs: UnsafeBufferPointer<TokenRecord>) -> [Int32] {
        var rows: [Int32]?
        for c in compiled.sorted(by: { FilterMatcher.cost($0) < FilterMatcher.cost($1) }) {
            rows = apply(c, recs, rows)
            if rows?.isEmpty == true { break }
        }
        return rows ?? Array(0..<Int32(recs.count))
    }

    private static func cost(_ c: Compiled) -> Int {
        switch c {
        case .tenant, .store, .operation, .count, .records, .age, .flags, .created, .seen: return 0
        case .status: return 1
        case .token, .text: return 2
        case .not: return 3
        }
    }

    private func apply(_ c: Compiled, _ recs: UnsafeBufferPointer<TokenRecord>, _ candidates: [Int32]?) -> [Int32] {
        func keep(_ pred: (Int) -> Bool) -> [Int32] {
            var out: [Int32] = []
            if let candidates {
                out.reserveCapacity(candidates.count)
                for i in candidates where pred(Int(i)) { out.append(i) }
            } else {
                out.reserveCapacity(recs.count / 8)
                for i in 0..<recs.count where pred(i) { out.append(Int32(i)) }
            }
            return out
        }
        switch c {
        case .tenant(let table):
            return table.withUnsafeBufferPointer { t in keep { t[Int(recs[$0].tenantID)] } }
        case .store(let table):
            return table.withUnsafeBufferPointer { t in keep { Int(recs[$0].store) < t.count && t[Int(recs[$0].store)] } }
        case .operation(let table):
            return table.withUnsafeBufferPointer { t in keep { t[Int(recs[$0].operationID)] } }
        case .status(let s):
            let now = self.now
            return keep { recs[$0].status(at: now) == s }
        case .token(let needle):
            return keep { FilterMatcher.contains(recs[$0].token, needle) }
        case .text(let tenants, let ops, let needle):
            return tenants.withUnsafeBufferPointer { t in
                ops.withUnsafeBufferPointer { o in
                    keep { i in
                        t[Int(recs[i].tenantID)] || o[Int(recs[i].operationID)]
                            || FilterMatcher.contains(recs[i].token, needle)
                    }
                }
            }
        case .records(let set):
            return keep { set.contains(Int32($0)) }
        case .flags(let table):
            return table.withUnsafeBufferPointer { t in keep { $0 < t.count && t[$0] } }
        case .created(let cmp, let ms):
            return keep { FilterMatcher.compare(recs[$0].createdAt.ms, cmp, ms) }
        case .seen(let cmp, let ms):
            return keep { FilterMatcher.compare(recs[$0].lastSeen.ms, cmp, ms) }
        case .count, .age, .not:
            return keep { test(c, recs[$0], at: $0) }
        }
    }

    /// Whether record `r`, at index `i` of the ledger, matches every term.
    func matches(_ r: TokenRecord, at i: Int) -> Bool {
        for c in compiled where !test(c, r, at: i) { return false }
        return true
    }

    private func test(_ c: Compiled, _ r: TokenRecord, at i: Int) -> Bool {
        switch c {
        case .text(let tenants, let ops, let needle):
            return tenants[Int(r.tenantID)] || ops[Int(r.operationID)] || FilterMatcher.contains(r.token, needle)
        case .status(let s): return r.status(at: now) == s
        case .tenant(let t): return t[Int(r.tenantID)]
        case .store(let t): return Int(r.store) < t.count && t[Int(r.store)]
        case .operation(let t): return t[Int(r.operationID)]
        case .token(let needle): return FilterMatcher.contains(r.token, needle)
        case .records(let set): return set.contains(Int32(i))
        case .flags(let t): return i < t.count && t[i]
        case .created(let cmp, let ms): return FilterMatcher.compare(r.createdAt.ms, cmp, ms)
        case .seen(let cmp, let ms): return FilterMatcher.compare(r.lastSeen.ms, cmp, ms)
        case .count(let field, let cmp, let n):
            let v: Int32
            switch field {
            case .hits: v = r.hits
            case .mismatches: v = r.mismatches
            case .conflicts: v = r.conflicts
            case .reexecutions: v = r.reexecutions
            case .executions: v = r.executions
            }
            return FilterMatcher.compare(Int64(v), cmp, Int64(n))
        case .age(let cmp, let span):
            return FilterMatcher.compare((now - r.createdAt).ms, cmp, span.ms)
        case .not(let inner): return !test(inner, r, at: i)
        }
    }

    static func compare(_ v: Int64, _ cmp: Filter.Comparison, _ n: Int64) -> Bool {
        switch cmp {
        case .gt: return v > n
        case .ge: return v >= n
        case .lt: return v < n
        case .le: return v <= n
        case .eq: return v == n
        }
    }

    /// Whether `haystack` contains the lowercase ASCII-folded `needle` bytes, ignoring ASCII case.
    static func contains(_ haystack: String, _ needle: [UInt8]) -> Bool {
        if needle.isEmpty { return true }
        var h = haystack
        return h.withUTF8 { buf in
            needle.withUnsafeBufferPointer { nb in
                guard let base = buf.baseAddress, let nbase = nb.baseAddress else { return false }
                return scan(base, buf.count, nbase, nb.count)
            }
        }
    }

    /// The inner loop on raw bytes (`ByteSearch.find`).
    @inline(__always)
    static func scan(_ h: UnsafePointer<UInt8>, _ count: Int, _ n: UnsafePointer<UInt8>, _ m: Int) -> Bool {
        ByteSearch.find(h, count, n, m) != nil
    }
}
