import IdemCore
import IdemDynamo
import IdemRedis

extension PayloadCheckReport {
    /// The check against Powertools records in Redis (`redis://...?profile=powertools`): the payload's key looked
    /// up among the records `reader` read, decided by Powertools' cache-layer rules (`RedisRecord.status`).
    public init(check: PayloadCheck, token: String, loaded: LoadedStore, redis reader: RedisReader, at now: Instant) throws {
        let found = try PayloadCheckReport.candidate(check, token, loaded).flatMap { try reader.record(for: $0) }
        self.init(check: check, token: token, found: found.map {
            (id: $0.key, rawStatus: $0.rawStatus, PayloadCheck.Checked(status: $0.status(at: now), stored: $0.stored,
                                                                      validation: $0.fingerprint, expiresAt: $0.expiresAt,
                                                                      lockedUntil: $0.lockedUntil))
        }, at: now)
    }
}
