import Foundation
import IdemTestSupport
import IdemCore
import IdemProcess
import IdemStore
import Testing
@testable import IdemDynamo

/// Throttling, access denied and expired credentials, against a fake endpoint; and signatures equal to botocore's.
@Suite struct DynamoClientErrorTests {
    /// A fake DynamoDB endpoint in `mode`; stopped when the returned pipe closes.
    static func fake(_ mode: String) throws -> (URL, RunningChild) {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/fake_dynamodb.py")
        let output = Pipe()
        let p = try RunningChild("/usr/bin/env", ["python3", script.path, mode], input: .lifeline,
                                 stdout: .pipe(output), stderr: .discard)
        let line = String(decoding: output.fileHandleForReading.readLine(), as: UTF8.self)
        guard let port = Int(line), let url = URL(string: "http://127.0.0.1:\(port)/") else {
            throw HarnessError("the fake endpoint did not start: '\(line)'")
        }
        return (url, p)
    }

    static func client(_ url: URL, retries: Int = 8, urlSession: Bool = false) -> DynamoClient {
        let signer = SigV4(credentials: AWSCredentials(accessKeyID: "A", secretAccessKey: "S"), region: "us-east-1",
                           service: "dynamodb")
        return DynamoClient(endpoint: url, signer: signer, table: "t", maxRetries: retries, baseBackoff: TimeSpan(ms: 5),
                            maxBackoff: TimeSpan(ms: 40), useURLSession: urlSession)
    }

    /// Through both transports: URLSession (https endpoints) and the plain socket client (http ones).
    @Test(arguments: [true, false]) func throttledCallsAreRetriedWithBackoff(urlSession: Bool) throws {
        let (url, p) = try DynamoClientErrorTests.fake("throttle:3")
        defer { p.closeInput() }
        let client = DynamoClientErrorTests.client(url, urlSession: urlSession)
        let table = try DynamoTable(client: client, config: DynamoTableConfig(table: "t"))
        #expect(client.throttled == 3)
        let reader = DynamoReader(location: try StoreRegistry.files.adding(DynamoDriver()).location(parsing: "dynamodb://t"), table: table)
        var ledger = Ledger()
        while try reader.poll(limit: 100, { ledger.apply($0) }, malformed: { ledger.noteMalformed($0) }) > 0 {}
        #expect(ledger.records.first?.responseStatus == 201)
    }

    /// Four segments whose pages each take a second arrive together, not one after another.
    @Test func segmentsAreReadInParallel() throws {
        let (url, p) = try DynamoClientErrorTests.fake("slow:1")
        defer { p.closeInput() }
        var config = DynamoTableConfig(table: "t")
        config.segments = 4
        let table = try DynamoTable(client: DynamoClientErrorTests.client(url), config: config)
        let started = Date()
        let items = try table.scanAll()
        #expect(items.count == 4, "the fake answers each segment with the same item")
        #expect(Date().timeIntervalSince(started) < 3.5, "four 1-second pages took \(Date().timeIntervalSince(started)) s")
    }

    @Test func plainHTTPReadsChunkedAndSizedBodies() throws {
        let url = try #require(URL(string: "http://127.0.0.1:1/"))
        let chunked = Data("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n3\r\n: 1\r\n1\r\n}\r\n0\r\n\r\n".utf8)
        let (body, status) = try PlainHTTP.parse(chunked, url: url)
        #expect(status == 200 && String(decoding: body, as: UTF8.self) == #"{"a": 1}"#)
        let sized = Data("HTTP/1.1 400 Bad Request\r\nContent-Length: 2\r\n\r\n{}".utf8)
        #expect(try PlainHTTP.parse(sized, url: url).1 == 400)
        #expect(throws: DynamoError.self) { try PlainHTTP.parse(Data("HTTP/1.1 200".utf8), url: url) }
    }

    @Test func throttlingPastTheRetriesIsOneLine() throws {
        let (url, p) = try DynamoClientErrorTests.fake("throttle:100")
        defer { p.closeInput() }
        #expect {
            _ = try DynamoTable(client: DynamoClientErrorTests.client(url, retries: 2), config: DynamoTableConfig(table: "t"))
        } throws: { e in "\(e)".hasPrefix("throttled by DynamoDB after retries: ThrottlingException") }
    }

    @Test func accessDeniedAndExpiredCredentials() throws {
        let (url, p) = try DynamoClientErrorTests.fake("deny")
        defer { p.closeInput() }
        let table = try DynamoTable(client: DynamoClientErrorTests.client(url), config: DynamoTableConfig(table: "t"))
        let reader = DynamoReader(location: try StoreRegistry.files.adding(DynamoDriver()).location(parsing: "dynamodb://t"), table: table)
        #expect {
            _ = try reader.poll(limit: 10, { _ in }, malformed: { _ in })
        } throws: { e in
            (e as? StoreError).map { "\($0)" }?.contains("access denied: User is not authorized to perform: dynamodb:Scan") == true
        }

        let (url2, p2) = try DynamoClientErrorTests.fake("expired")
        defer { p2.closeInput() }
        #expect {
            _ = try DynamoTable(client: DynamoClientErrorTests.client(url2), config: DynamoTableConfig(table: "t"))
        } throws: { e in "\(e)".contains("the AWS credentials have expired") }
    }

    /// The same DynamoDB request signed by botocore (in the Powertools venv) and by idemtop.
    @Test func signatureEqualsBotocore() throws {
        try PowertoolsVenv.ensure()
        let body = #"{"TableName": "idem", "Limit": 5}"#
        // botocore signs at its own clock; idemtop then signs at the same X-Amz-Date.
        let script = """
            import sys
            from botocore.auth import SigV4Auth
            from botocore.awsrequest import AWSRequest
            from botocore.credentials import Credentials
            req = AWSRequest(method="POST", url="http://127.0.0.1:8000/", data=sys.argv[1].encode(),
                             headers={"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.Scan"})
            SigV4Auth(Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "SESSION"), "dynamodb", "eu-west-1").add_auth(req)
            print(req.headers["X-Amz-Date"])
            print(req.headers["Authorization"])
            """
        let r = try PowertoolsVenv.run(PowertoolsVenv.python, ["-c", script, body])
        #expect(r.code == 0, "\(r.err)")
        let lines = r.out.split(separator: "\n").map(String.init)
        try #require(lines.count == 2)
        let d = Array(lines[0]) // 20261129T064954Z
        let rfc = "\(String(d[0..<4]))-\(String(d[4..<6]))-\(String(d[6..<8]))T\(String(d[9..<11])):\(String(d[11..<13])):\(String(d[13..<15]))Z"
        let signer = SigV4(credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE",
                                                       secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                                       sessionToken: "SESSION"),
                           region: "eu-west-1", service: "dynamodb")
        let ours = signer.sign(method: "POST", url: try #require(URL(string: "http://127.0.0.1:8000/")),
                               headers: [("Content-Type", "application/x-amz-json-1.0"),
                                         ("X-Amz-Target", "DynamoDB_20120810.Scan")],
                               body: Array(body.utf8), at: try #require(Instant(rfc3339: rfc)))
        #expect(ours.authorization == lines[1])
    }
}
