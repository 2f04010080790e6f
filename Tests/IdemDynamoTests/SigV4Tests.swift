import Foundation
import IdemCore
import Testing
@testable import IdemDynamo

/// SigV4 against AWS's published Signature Version 4 test suite and the IAM worked example.
@Suite struct SigV4Tests {
    static let at = Instant(rfc3339: "2015-08-30T12:36:00Z") ?? Instant(ms: 0)
    static let suite = SigV4(credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE",
                                                         secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                             region: "us-east-1", service: "service")

    func sign(_ method: String, _ url: String, headers: [(String, String)] = [], body: String = "",
              signer: SigV4 = SigV4Tests.suite) throws -> SigV4.Signed {
        let u = try #require(URL(string: url))
        return signer.sign(method: method, url: u, headers: headers, body: Array(body.utf8), at: SigV4Tests.at)
    }

    @Test func getVanilla() throws {
        let s = try sign("GET", "https://example.amazonaws.com/")
        #expect(s.canonicalRequest == "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(s.stringToSign == "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63")
        #expect(s.authorization == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    }

    @Test func getVanillaQueryOrderKeyCase() throws {
        let s = try sign("GET", "https://example.amazonaws.com/?Param2=value2&Param1=value1")
        #expect(s.signature == "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")
    }

    @Test func postVanilla() throws {
        #expect(try sign("POST", "https://example.amazonaws.com/").signature
                    == "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b")
    }

    @Test func getUnreservedAndUTF8Paths() throws {
        #expect(try sign("GET", "https://example.amazonaws.com/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz").signature
                    == "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f")
        #expect(try sign("GET", "https://example.amazonaws.com/%E1%88%B4").signature
                    == "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85")
    }

    @Test func postXWWWFormURLEncoded() throws {
        let s = try sign("POST", "https://example.amazonaws.com/",
                         headers: [("Content-Type", "application/x-www-form-urlencoded")], body: "Param1=value1")
        #expect(s.authorization.hasSuffix("SignedHeaders=content-type;host;x-amz-date, Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"))
    }

    /// The worked example in AWS's "Signature Version 4 signing process" documentation (IAM ListUsers).
    @Test func iamListUsersDocumentedExample() throws {
        let iam = SigV4(credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE",
                                                    secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                        region: "us-east-1", service: "iam")
        let s = try sign("GET", "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08",
                         headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
                                   ("X-Amz-Date", "20150830T123600Z")], signer: iam)
        #expect(s.canonicalRequest.hasPrefix("GET\n/\nAction=ListUsers&Version=2010-05-08\ncontent-type:application/x-www-form-urlencoded; charset=utf-8\nhost:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n"))
        #expect(s.signature == "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")
        #expect(Hex.encode(iam.signingKey(date: "20150830"))
                    == "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9")
    }

    @Test func sessionTokenIsSigned() throws {
        var signer = SigV4Tests.suite
        signer.credentials.sessionToken = "TOKEN"
        let s = try sign("POST", "http://127.0.0.1:8000/", signer: signer)
        #expect(s.authorization.contains("SignedHeaders=host;x-amz-date;x-amz-security-token"))
        #expect(s.canonicalRequest.contains("host:127.0.0.1:8000\n"))
        #expect(s.headers.contains { $0.0 == "X-Amz-Security-Token" && $0.1 == "TOKEN" })
    }

    @Test func backoffIsFullJitterUnderACap() {
        let base = TimeSpan(ms: 50), cap = TimeSpan.seconds(5)
        #expect(DynamoClient.backoff(attempt: 0, base: base, cap: cap, random: { $0.upperBound }).ms == 50)
        #expect(DynamoClient.backoff(attempt: 3, base: base, cap: cap, random: { $0.upperBound }).ms == 400)
        #expect(DynamoClient.backoff(attempt: 20, base: base, cap: cap, random: { $0.upperBound }).ms == 5000)
        #expect(DynamoClient.backoff(attempt: 3, base: base, cap: cap, random: { $0.lowerBound }).ms == 0)
    }
}
