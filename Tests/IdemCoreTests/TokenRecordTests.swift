import Testing
import IdemCore

@Suite struct TokenRecordTests {
    let t0 = Instant(ms: 1_800_000_000_000)

    func record(_ stored: StoredStatus) -> TokenRecord {
        TokenRecord(tenantID: 0, operationID: 0, token: "tok", fingerprint: Fingerprint("f"), stored: stored,
                    createdAt: t0, expiresAt: t0 + .hours(24), lockedUntil: t0 + .seconds(60))
    }

    @Test func inProgressBecomesStuckExactlyAtItsDeadline() {
        let r = record(.inProgress)
        #expect(r.status(at: t0) == .inProgress)
        #expect(r.status(at: t0 + TimeSpan(ms: 59_999)) == .inProgress)
        #expect(r.status(at: t0 + .seconds(60)) == .stuck)
        #expect(r.status(at: t0 + .hours(23)) == .stuck)
    }

    @Test func everyStoredStatusExpiresExactlyAtExpiresAt() {
        for stored in [StoredStatus.inProgress, .completed, .failed] {
            let r = record(stored)
            #expect(r.status(at: t0 + .hours(24) - TimeSpan(ms: 1)) != .expired)
            #expect(r.status(at: t0 + .hours(24)) == .expired)
        }
        #expect(record(.completed).status(at: t0) == .completed)
        #expect(record(.failed).status(at: t0) == .failed)
    }

    @Test func purgedWinsOverExpiry() {
        #expect(record(.purged).status(at: t0) == .purged)
        #expect(record(.purged).status(at: t0 + .hours(48)) == .purged)
    }

    @Test func expiresInCountsDownAndGoesNegative() {
        let r = record(.completed)
        #expect(r.expiresIn(at: t0 + .hours(1)) == .hours(23))
        #expect(r.expiresIn(at: t0 + .hours(25)) == -TimeSpan.hours(1))
    }
}
