import Foundation
import IdemCore

/// A small fast deterministic random number generator (SplitMix64), so every run writes the same journal.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Writes a realistic journal: N tokens, about 3N events, with request and response bodies, using the encoder.
///
/// Tokens arrive in batches of a thousand: the batch's executions, then their completions (a few fail), then the
/// duplicates (replays, sometimes two), and some mismatches and conflicts. Twenty tenants, eight operations.
struct JournalGenerator {
    var tokens: Int
    var start = Instant(rfc3339: "2026-11-28T06:00:00.000Z") ?? Instant(ms: 0)

    static let operations = ["POST /v1/charges", "POST /v1/refunds", "POST /v1/payouts", "POST /v1/transfers",
                             "POST /v1/customers", "POST /v1/payment_intents", "POST /v1/subscriptions", "POST /v1/invoices"]

    /// Writes the journal to `path`; returns (events, bytes).
    func write(to path: String) throws -> (events: Int, bytes: Int) {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        guard let out = FileHandle(forWritingAtPath: path) else { throw CocoaError(.fileWriteUnknown) }
        defer { try? out.close() }
        var rng = SplitMix(state: 42)
        var buf = [UInt8]()
        buf.reserveCapacity(9 << 20)
        var events = 0
        var bytes = 0
        let tenants = (0..<20).map { "tenant-\(["acme", "globex", "initech", "umbrella", "hooli"][$0 % 5])-\($0)" }
        var now = start
        func hex(_ n: Int) -> String {
            var s = ""
            s.reserveCapacity(n)
            while s.count < n { s += String(rng.next(), radix: 16) }
            return String(s.prefix(n))
        }
        func flushIfBig() throws {
            if buf.count > 8 << 20 {
                try out.write(contentsOf: buf)
                bytes += buf.count
                buf.removeAll(keepingCapacity: true)
            }
        }
        func emit(_ e: StoreEvent) {
            EventLineEncoder.append(e, to: &buf)
            events += 1
        }
        var base = 0
        while base < tokens {
            let count = min(1000, tokens - base)
            var batch: [(tenant: String, token: String, op: String, fp: Fingerprint)] = []
            batch.reserveCapacity(count)
            for i in 0..<count {
                let t = tenants[Int(rng.next() % 20)]
                let tok = "\(hex(8))-\(hex(4))-4\(hex(3))-\(hex(4))-\(String(format: "%012d", base + i))"
                batch.append((t, tok, JournalGenerator.operations[Int(rng.next() % 8)], Fingerprint(hex(64))))
            }
            for b in batch {
                now = now + TimeSpan(ms: 3)
                let amount = rng.next() % 100_000
                let body = #"{"amount":\#(amount),"currency":"eur","customer":"cus_\#(hex(14))","description":"Order \#(amount) for \#(b.tenant)","metadata":{"order_id":"ord_\#(hex(10))","channel":"web"}}"#
                let req = StoredRequest(method: "POST", path: String(b.op.dropFirst(5)),
                                        headers: ["Content-Type": "application/json", "Idempotency-Key": b.token,
                                                  "User-Agent": "payments-sdk/4.2.1"], body: body)
                emit(StoreEvent(kind: .request, at: now, tenant: b.tenant, token: b.token, operation: b.op,
                                fingerprint: b.fp, outcome: .executed, expiresAt: now + .hours(24),
                                lockedUntil: now + .seconds(60), request: req))
                if rng.next() % 10 == 0 {
                    emit(StoreEvent(kind: .request, at: now + TimeSpan(ms: 40), tenant: b.tenant, token: b.token,
                                    operation: b.op, fingerprint: b.fp, outcome: .conflict))
                }
            }
            for b in batch {
                now = now + TimeSpan(ms: 2)
                if rng.next() % 50 == 0 {
                    emit(StoreEvent(kind: .failed, at: now, tenant: b.tenant, token: b.token, error: "upstream timed out after 30s"))
                    continue
                }
                let body = #"{"id":"ch_\#(hex(24))","object":"charge","status":"succeeded","amount_captured":\#(rng.next() % 100_000),"paid":true,"receipt_url":"https://pay.example.com/receipts/\#(hex(20))"}"#
                let resp = StoredResponse(status: 201, headers: ["Content-Type": "application/json",
                                                                 "Request-Id": "req_\(hex(14))"], body: body)
                emit(StoreEvent(kind: .completed, at: now, tenant: b.tenant, token: b.token, responseStatus: 201,
                                response: resp))
            }
            for b in batch {
                let r = rng.next() % 100
                let dups = r < 60 ? 1 : r < 80 ? 2 : 0
                for _ in 0..<dups {
                    now = now + TimeSpan(ms: 1)
                    emit(StoreEvent(kind: .request, at: now, tenant: b.tenant, token: b.token, operation: b.op,
                                    fingerprint: b.fp, outcome: .replayed))
                }
                if r >= 90 {
                    now = now + TimeSpan(ms: 1)
                    emit(StoreEvent(kind: .request, at: now, tenant: b.tenant, token: b.token, operation: b.op,
                                    fingerprint: Fingerprint(hex(64)), storedFingerprint: b.fp, outcome: .mismatch))
                }
            }
            try flushIfBig()
            base += count
        }
        try out.write(contentsOf: buf)
        bytes += buf.count
        return (events, bytes)
    }
}
