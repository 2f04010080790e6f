import Foundation
import IdemCore
import Testing
@testable import IdemDynamo

/// `credential_process` profiles: the command is split like `shlex.split`, run without a shell, its JSON parsed, and
/// run again before the credentials it gave expire.
@Suite struct CredentialProcessTests {
    /// A folder with an AWS config whose profile `proc` runs `script` (a shell script written there) as its
    /// credential_process, and a file `calls` the script appends one line to per run.
    struct Profile {
        let dir: URL
        var environment: [String: String]
        var calls: Int { ((try? String(contentsOf: dir.appendingPathComponent("calls"), encoding: .utf8)) ?? "").count }

        init(script: String, extraConfig: String = "") throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("idemtop-aws-proc-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let path = dir.appendingPathComponent("creds helper.sh")
            try ("#!/bin/sh\nprintf x >> \"$(dirname \"$0\")/calls\"\n" + script).write(to: path, atomically: true, encoding: .utf8)
            // The path has a space: the command line quotes it, as a user's would. sh reads the script rather than
            // exec it: a process that another test forks meanwhile can hold the script's write descriptor, and exec
            // of a file open for writing fails with ETXTBSY ("Text file busy"), as CI once saw.
            let config = "[profile proc]\nregion = eu-west-1\ncredential_process = /bin/sh \"\(path.path)\" --profile proc\n"
                + extraConfig
            try config.write(to: dir.appendingPathComponent("config"), atomically: true, encoding: .utf8)
            environment = ["AWS_CONFIG_FILE": dir.appendingPathComponent("config").path,
                           "AWS_SHARED_CREDENTIALS_FILE": dir.appendingPathComponent("no-credentials").path,
                           "AWS_PROFILE": "proc", "PATH": "/usr/bin:/bin", "HOME": dir.path]
        }

        func remove() { try? FileManager.default.removeItem(at: dir) }
    }

    @Test func splitsLikeAPOSIXShell() {
        #expect(CredentialProcess.split("aws configure export-credentials --profile x --format process")
            == ["aws", "configure", "export-credentials", "--profile", "x", "--format", "process"])
        #expect(CredentialProcess.split(#"  "/opt/my tools/creds" 'a b' c\ d "say \"hi\" \n" '' "#)
            == ["/opt/my tools/creds", "a b", "c d", #"say "hi" \n"#, ""])
        #expect(CredentialProcess.split(#"it's"#) == nil, "an unterminated quote is refused")
        #expect(CredentialProcess.split(#"a"b"'c'd"#) == ["abcd"], "quotes join a word")
        #expect(CredentialProcess.split("") == [])
    }

    @Test func theProfilesProcessGivesTheCredentials() throws {
        let p = try Profile(script: """
            echo '{"Version": 1, "AccessKeyId": "AKIAPROC", "SecretAccessKey": "s3cret", "SessionToken": "tok", "Expiration": "2030-01-01T00:00:00+01:00"}'
            """)
        defer { p.remove() }
        let c = try AWSCredentials.resolve(environment: p.environment)
        #expect(c.accessKeyID == "AKIAPROC" && c.secretAccessKey == "s3cret" && c.sessionToken == "tok")
        #expect(c.expiration == Instant(rfc3339: "2029-12-31T23:00:00Z"))
        #expect(c.source == "credential_process of profile 'proc'")
        #expect(p.calls == 1)
        // Keys in the credentials file come first, as with the AWS CLI: the process is not run.
        let creds = p.dir.appendingPathComponent("no-credentials")
        try "[proc]\naws_access_key_id = FILEKEY\naws_secret_access_key = FILESECRET\n".write(to: creds, atomically: true, encoding: .utf8)
        #expect(try AWSCredentials.resolve(environment: p.environment).accessKeyID == "FILEKEY")
        #expect(p.calls == 1)
    }

    @Test(arguments: [
        ("echo 'no such profile: proc' >&2; exit 3", "failed with exit code 3: no such profile: proc"),
        ("echo 'hello'", "printed no JSON object"),
        (#"echo '{"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "S"}'"#, "printed Version 2, not 1"),
        (#"echo '{"Version": 1, "AccessKeyId": "A"}'"#, "printed no AccessKeyId and SecretAccessKey"),
        (#"echo '{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "S", "Expiration": "tomorrow"}'"#,
         "printed an Expiration that is not RFC 3339: tomorrow"),
    ])
    func aBrokenProcessIsOneClearLine(script: String, message: String) throws {
        let p = try Profile(script: script)
        defer { p.remove() }
        do {
            _ = try AWSCredentials.resolve(environment: p.environment)
            Issue.record("resolved credentials from a broken process")
        } catch let e as DynamoError {
            let text = "\(e)"
            #expect(text.contains("credential_process of profile 'proc'") && text.contains(message), "\(text)")
            #expect(!text.contains("\n"))
        }
    }

    @Test func aMissingProgramAndIndirectProfilesSayWhatToDo() throws {
        var p = try Profile(script: "exit 0")
        defer { p.remove() }
        try "[profile proc]\ncredential_process = no-such-credential-helper --x\n[profile sso]\nsso_session = corp\nsso_account_id = 1\n"
            .write(to: p.dir.appendingPathComponent("config"), atomically: true, encoding: .utf8)
        #expect(throws: DynamoError.self) { try AWSCredentials.resolve(environment: p.environment) }
        do { _ = try AWSCredentials.resolve(environment: p.environment) } catch {
            #expect("\(error)".contains("exit code 127 (not found)"), "\(error)")
        }
        p.environment["AWS_PROFILE"] = "sso"
        do { _ = try AWSCredentials.resolve(environment: p.environment) } catch {
            #expect("\(error)".contains("profile 'sso' gets its credentials through SSO"), "\(error)")
            #expect("\(error)".contains("aws configure export-credentials --profile sso --format process"))
        }
    }

    /// The provider runs the process again once the credentials are within `refreshAhead` of expiring, not before,
    /// and not more than once a minute until they have expired.
    @Test func credentialsAreRenewedBeforeTheyExpire() throws {
        let p = try Profile(script: """
            n=$(wc -c < "$(dirname "$0")/calls")
            echo "{\\"Version\\": 1, \\"AccessKeyId\\": \\"KEY$n\\", \\"SecretAccessKey\\": \\"S\\", \\"Expiration\\": \\"2026-11-29T10:00:00Z\\"}"
            """)
        defer { p.remove() }
        let provider = try CredentialsProvider(profile: nil, environment: p.environment)
        let expiry = try #require(Instant(rfc3339: "2026-11-29T10:00:00Z"))
        #expect(try provider.credentials(at: expiry - .minutes(30)).accessKeyID == "KEY1")
        #expect(try provider.credentials(at: expiry - .minutes(11)).accessKeyID == "KEY1")
        #expect(p.calls == 1)
        #expect(try provider.credentials(at: expiry - .minutes(10)).accessKeyID == "KEY2")
        // Still about to expire, but just renewed: not run again before a minute has passed (or they expire).
        #expect(try provider.credentials(at: expiry - .seconds(9 * 60 + 30)).accessKeyID == "KEY2")
        #expect(p.calls == 2)
        #expect(try provider.credentials(at: expiry + .minutes(1)).accessKeyID == "KEY3")
        #expect(p.calls == 3)
        // Fixed credentials are never renewed.
        let fixed = CredentialsProvider(AWSCredentials(accessKeyID: "A", secretAccessKey: "S", expiration: expiry))
        #expect(try fixed.credentials(at: expiry + .minutes(60)).accessKeyID == "A")
    }

    /// The real binary against moto with no keys anywhere but a credential_process profile.
    @Test func theBinaryListsATableWithProcessCredentials() throws {
        let fx = try DynamoFixture(table: "proc")
        _ = try fx.drive([DynamoFixture.invoke(["body": "order-1", "amount": 1])])
        let p = try Profile(script: #"echo '{"Version": 1, "AccessKeyId": "testing", "SecretAccessKey": "testing"}'"#)
        defer { p.remove() }
        var env = p.environment
        env["AWS_ACCESS_KEY_ID"] = ""
        env["AWS_SECRET_ACCESS_KEY"] = ""
        env["AWS_REGION"] = ""
        env["AWS_DEFAULT_REGION"] = ""
        let r = try IdemtopBinary.run(["list", fx.url(), "--format", "json"], environment: env)
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.contains("\"completed\""), "\(r.out)")
        #expect(p.calls == 1)
    }
}
