import IdemCore

/// What a token's detail says about its neighbours: the findings it is part of, and its sibling tokens (same
/// tenant, operation and payload fingerprint, executed within the double-charge window of it).
public enum DetailRelations {
    /// The most siblings listed (the keys `1`-`9` open them).
    public static let maxSiblings = 9

    /// The other records of the same tenant, operation and fingerprint created within `window` of this one, oldest
    /// first; none for a token without a fingerprint. One pass over the records, on integer ids.
    public static func siblings(of key: TokenKey, in ledger: Ledger, window: TimeSpan) -> [TokenKey] {
        guard let i = ledger.indexOf(key) else { return [] }
        let me = ledger.records[i]
        guard !me.fingerprint.isEmpty else { return [] }
        var found: [(Instant, Int)] = []
        ledger.records.withUnsafeBufferPointer { recs in
            for j in 0..<recs.count where j != i {
                let r = recs[j]
                guard r.tenantID == me.tenantID, r.operationID == me.operationID,
                      abs((r.createdAt - me.createdAt).ms) <= window.ms, r.fingerprint == me.fingerprint
                else { continue }
                found.append((r.createdAt, j))
            }
        }
        return found.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }.prefix(maxSiblings)
            .map { ledger.key(of: ledger.records[$0.1]) }
    }

    /// The findings that name this token (in its store), in report order.
    public static func findings(of key: TokenKey, in findings: [Finding]) -> [Finding] {
        findings.filter { f in
            f.tenant == key.tenant && f.tokens.indices.contains { f.tokens[$0] == key.token && f.key($0) == key }
        }
    }
}
