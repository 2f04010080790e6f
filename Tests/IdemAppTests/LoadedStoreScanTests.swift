import Foundation
import IdemApp
import IdemCore
import IdemStore
import Testing

/// A cold load that only folds (`stats`, `list`) reads a journal past `FoldScanOptions.standard.threshold` through the
/// parallel block scan; the ledger must be the one the load that keeps token chains (and decodes `StoreEvent`s on
/// the chunked path) folds, malformed lines and a last line without its newline included.
@Suite struct LoadedStoreScanTests {
    @Test func aJournalPastTheScanThresholdLoadsAsTheChunkedReadDoes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("idemtop-scan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("big.jsonl").path
        let t0 = Instant(ms: 1_764_396_000_000)
        let body = String(repeating: #"{\"k\":\"v\"},"#, count: 40)
        var text = ""
        text.reserveCapacity(40 << 20)
        var k = 0
        while text.utf8.count < Int(FoldScanOptions.standard.threshold) + (4 << 20) {
            let at = (t0 + .seconds(Int64(k / 3))).rfc3339
            let token = "tok-\(k / 3)", tenant = "tenant-\(k % 17)"
            switch k % 3 {
            case 0:
                text += #"{"v":1,"kind":"request","at":"\#(at)","tenant":"\#(tenant)","token":"\#(token)","#
                    + #""operation":"POST /v1/charges","fingerprint":"\#(String(repeating: "ab", count: 32))","#
                    + #""outcome":"executed","request":{"body":"[\#(body)1]"}}"# + "\n"
            case 1:
                text += k % 1000 == 1 ? "{not json\n"
                    : #"{"v":1,"kind":"request","at":"\#(at)","tenant":"\#(tenant)","token":"\#(token)","#
                    + #""outcome":"replayed"}"# + "\n"
            default:
                text += #"{"v":1,"kind":"completed","at":"\#(at)","tenant":"\#(tenant)","token":"\#(token)","#
                    + #""response":{"status":201,"body":"ok"}}"# + "\n"
            }
            k += 1
        }
        text += #"{"v":1,"kind":"completed","at":"#
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        let location = JournalDriver.location(path)
        let until = t0 + .seconds(Int64(k / 6))
        for cutoff in [nil, until] {
            let folded = try LoadedStore.load(location, registry: .files, policy: .standard, until: cutoff,
                                              tokenIndex: false)
            let chunked = try LoadedStore.load(location, registry: .files, policy: .standard, until: cutoff,
                                               tokenIndex: true)
            let a = folded.ledger, b = chunked.ledger
            #expect(a.count == b.count && a.count > 10_000)
            #expect(a.records == b.records)
            #expect(a.tenants.strings == b.tenants.strings && a.operations.strings == b.operations.strings)
            #expect(a.counts == b.counts && a.lastEventAt == b.lastEventAt)
            #expect(a.malformed == b.malformed && a.malformedCount == b.malformedCount && a.malformedCount > 10)
            #expect((folded.reader as? JournalReader)?.offset == (chunked.reader as? JournalReader)?.offset)
            // The fold took all but the partial last line through the scan; the other read none.
            let scanned = (folded.reader as? JournalReader)?.bytesScanned ?? 0
            #expect(scanned == Int64(text.utf8.count - #"{"v":1,"kind":"completed","at":"#.utf8.count))
            #expect((chunked.reader as? JournalReader)?.bytesScanned == 0)
        }
    }
}
