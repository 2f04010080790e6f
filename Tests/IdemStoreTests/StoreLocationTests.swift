import IdemStore
import Testing

/// What a location prints as: a password in a URL is masked in every message and report.
@Suite struct StoreLocationTests {
    @Test(arguments: [
        ("postgres://app:s3cret@db.internal:5432/payments?table=idempotency_keys",
         "postgres://app:***@db.internal:5432/payments?table=idempotency_keys"),
        ("redis://default:hunter2@127.0.0.1:6379/0?profile=powertools", "redis://default:***@127.0.0.1:6379/0?profile=powertools"),
        // An '@' or ':' after the authority is not a password.
        ("postgres://app@db/payments?table=keys&note=a:b@c", "postgres://app@db/payments?table=keys&note=a:b@c"),
        ("redis://127.0.0.1:6379", "redis://127.0.0.1:6379"),
        ("dynamodb://idem?region=eu-west-1", "dynamodb://idem?region=eu-west-1"),
        // A password holding '@' and ':' (percent-encoding is optional for libpq): all of it is masked.
        ("postgres://app:p@ss:w0rd@db/x", "postgres://app:***@db/x"),
        ("postgres://:only-a-password@db/x", "postgres://:***@db/x"),
    ])
    func aPasswordInAURLIsMasked(url: String, shown: String) {
        #expect(StoreLocation(kind: "x", path: url).description == shown)
    }

    @Test func aFileIsItsKindAndPath() {
        #expect(StoreLocation(kind: "journal", path: "/tmp/a:b@c.jsonl").description == "journal:/tmp/a:b@c.jsonl")
    }
}
