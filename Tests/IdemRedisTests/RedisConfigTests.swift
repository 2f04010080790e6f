import Testing
@testable import IdemRedis

@Suite struct RedisConfigTests {
    @Test func parsesUserHostPortDatabaseAndOptions() throws {
        let c = try RedisConfig(url: "redis://ops@cache.internal:6380/2?profile=node-idempotency&password_env=PW")
        #expect(c.host == "cache.internal" && c.port == 6380 && c.user == "ops" && c.database == 2)
        #expect(c.profile.library == .nodeIdempotency && c.profile.match == "node-idempotency:*")
        #expect(c.passwordEnv == "PW" && !c.tls)
    }
}
