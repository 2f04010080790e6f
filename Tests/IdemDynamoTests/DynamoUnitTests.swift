import Foundation
import IdemCore
import IdemStore
import Testing
@testable import IdemDynamo

/// The pure parts: store URLs, the record's timing rules, the change tracker, error mapping, credentials.
@Suite struct DynamoUnitTests {
    static func record(_ status: String = "COMPLETED", expiration: Int64 = 1_000, ipe: Int64? = 990_500,
                       id: String = "fn.app.handler#abc") throws -> PowertoolsRecord {
        var item: Item = ["id": .s(id), "status": .s(status), "expiration": .n(String(expiration))]
        if let ipe { item["in_progress_expiration"] = .n(String(ipe)) }
        return try PowertoolsRecord(item: item, config: DynamoTableConfig(table: "t"))
    }

    @Test func storeURLParses() throws {
        let loc = try StoreRegistry.files.adding(DynamoDriver()).location(parsing: "dynamodb://idem?region=eu-west-1&endpoint=http://127.0.0.1:8000&sort_key_attr=sk&static_pk_value=idempotency%23fn&segments=8&poll=500ms&audit=/tmp/a.jsonl")
        #expect(loc.kind == DynamoDriver.kind && loc.displayName == "idem")
        let c = try DynamoTableConfig(url: loc.path)
        #expect(c.table == "idem" && c.region == "eu-west-1" && c.endpoint?.port == 8000)
        #expect(c.sortKeyAttr == "sk" && c.staticPKValue == "idempotency#fn" && c.segments == 8)
        #expect(c.pollInterval == TimeSpan(ms: 500) && c.auditPath == "/tmp/a.jsonl")
        #expect(try DynamoTableConfig(url: "dynamodb://t?function=pay").staticPKValue == "idempotency#pay")
        #expect(throws: DynamoError.self) { try DynamoTableConfig(url: "dynamodb://t?key_attr=a&sort_key_attr=a") }
        #expect(throws: DynamoError.self) { try DynamoTableConfig(url: "dynamodb://t?endpoint=ftp://x") }
        #expect(try StoreRegistry.files.adding(DynamoDriver()).location(parsing: "x.jsonl").kind == JournalDriver.kind)
    }

    @Test func endpointFromEnvironment() throws {
        let c = DynamoTableConfig(table: "t")
        #expect(try c.resolvedEndpoint(region: "us-east-1", environment: ["AWS_ENDPOINT_URL_DYNAMODB": "http://h:1"]).absoluteString == "http://h:1")
        #expect(try c.resolvedEndpoint(region: "eu-west-1", environment: [:]).host == "dynamodb.eu-west-1.amazonaws.com")
    }

    @Test func keySplits() {
        #expect(PowertoolsRecord.split("payments-fn.app.handler#729040") == ("payments-fn", "app.handler", "729040"))
        #expect(PowertoolsRecord.split("payments-fn.app.Cls.method#h") == ("payments-fn", "app.Cls.method", "h"))
        #expect(PowertoolsRecord.split("my-prefix#h") == ("my-prefix", "", "h"))
        #expect(PowertoolsRecord.split("plain") == ("", "", "plain"))
    }

    /// Powertools: expired when int(now_s) > expiration; takeover when in_progress_expiration < now_ms.
    @Test func timingFollowsPowertoolsToTheMillisecond() throws {
        let r = try DynamoUnitTests.record("INPROGRESS", expiration: 1_000, ipe: 990_500)
        #expect(r.status(at: Instant(ms: 990_500)) == .inProgress)
        #expect(r.status(at: Instant(ms: 990_501)) == .stuck)
        #expect(r.status(at: Instant(ms: 1_000_999)) == .stuck)
        #expect(r.status(at: Instant(ms: 1_001_000)) == .expired)
        let old = try DynamoUnitTests.record("IN_PROGRESS", ipe: nil)
        #expect(old.status(at: Instant(ms: 1_000_999)) == .inProgress, "no in_progress_expiration: locked until expiry")
        #expect(try DynamoUnitTests.record("COMPLETE").stored == .completed)
        #expect(throws: DynamoError.self) { try DynamoUnitTests.record("EXPIRED") }
    }

    @Test func trackerInfersEvents() throws {
        var t = DynamoChangeTracker(expiresAfter: .seconds(100))
        let now = Instant(ms: 950_000)
        let a = try DynamoUnitTests.record("INPROGRESS", expiration: 1_000, ipe: 901_000)
        let first = t.observe(a, at: now, firstPass: true)
        #expect(first.map(\.label) == ["executed"])
        #expect(first[0].at == Instant(ms: 900_000), "dated expiration - expires_after")
        #expect(t.observe(a, at: now, firstPass: false).isEmpty)
        let done = try DynamoUnitTests.record("COMPLETED", expiration: 1_005, ipe: 901_000)
        #expect(t.observe(done, at: now, firstPass: false).map(\.label) == ["completed"])
        let again = try DynamoUnitTests.record("INPROGRESS", expiration: 2_000, ipe: 1_901_000)
        #expect(t.observe(again, at: now, firstPass: false).map(\.label) == ["reexecuted"])
        // Gone while in progress and unexpired: failed. Gone after expiry: a notice, then reexecuted if it returns.
        let (events, notice) = t.vanished(keeping: [], at: Instant(ms: 1_500_000))
        #expect(events.map(\.kind) == [.failed])
        #expect(notice?.contains("1 record(s) vanished") == true)
        let b = try DynamoUnitTests.record("COMPLETED", expiration: 1_000, ipe: 901_000, id: "fn.app.handler#b")
        _ = t.observe(b, at: now, firstPass: false)
        #expect(t.vanished(keeping: [], at: Instant(ms: 2_000_000)).events.isEmpty)
        #expect(t.observe(b, at: Instant(ms: 2_000_000), firstPass: false).first?.outcome == .reexecuted)
    }

    @Test func errorsMapToOneLine() {
        func err(_ type: String, _ status: Int = 400) -> DynamoError {
            DynamoError.from(status: status, body: ["__type": "com.amazonaws.dynamodb.v20120810#\(type)", "message": "m"],
                             table: "t")
        }
        #expect(err("ProvisionedThroughputExceededException").isRetryable)
        #expect(err("ThrottlingException").isRetryable)
        #expect(err("InternalServerError", 500).isRetryable)
        #expect(err("ResourceNotFoundException") == .tableNotFound("'t' (m)"))
        #expect(err("AccessDeniedException") == .accessDenied("m"))
        #expect("\(err("ExpiredTokenException"))".contains("expired"))
        #expect("\(err("UnrecognizedClientException"))".contains("refused the credentials"))
        #expect(err("ConditionalCheckFailedException") == .conditionFailed(item: nil))
        #expect(err("ValidationException") == .service(type: "ValidationException", message: "m"))
    }

    @Test func credentialsFromEnvironmentAndProfiles() throws {
        let env = try AWSCredentials.resolve(environment: ["AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "S",
                                                           "AWS_SESSION_TOKEN": "T"])
        #expect(env == AWSCredentials(accessKeyID: "A", secretAccessKey: "S", sessionToken: "T", source: "environment"))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("idemtop-aws-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "[default]\naws_access_key_id = D\naws_secret_access_key = DS\n\n[ops]\n# comment\naws_access_key_id=O\naws_secret_access_key = OS\n"
            .write(to: dir.appendingPathComponent("credentials"), atomically: true, encoding: .utf8)
        try "[profile ops]\nregion = eu-central-1\n".write(to: dir.appendingPathComponent("config"), atomically: true, encoding: .utf8)
        let files = ["AWS_SHARED_CREDENTIALS_FILE": dir.appendingPathComponent("credentials").path,
                     "AWS_CONFIG_FILE": dir.appendingPathComponent("config").path]
        #expect(try AWSCredentials.resolve(environment: files).accessKeyID == "D")
        #expect(try AWSCredentials.resolve(environment: files.merging(["AWS_PROFILE": "ops"]) { a, _ in a }).secretAccessKey == "OS")
        #expect(AWSCredentials.region(profile: "ops", environment: files) == "eu-central-1")
        #expect(AWSCredentials.region(environment: ["AWS_DEFAULT_REGION": "ap-south-1"]) == "ap-south-1")
        #expect(throws: DynamoError.self) { try AWSCredentials.resolve(profile: "nope", environment: files) }
    }
}
