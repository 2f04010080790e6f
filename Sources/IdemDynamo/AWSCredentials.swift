import Foundation
import IdemCore

/// An access key pair (and session token) to sign requests with, found the way the AWS CLI finds it.
public struct AWSCredentials: Sendable, Hashable {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?
    /// Where they came from, for messages: `environment`, `profile default (~/.aws/credentials)`.
    public var source: String
    /// When they stop working (credentials from `credential_process` may say); nil: never.
    public var expiration: Instant?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, source: String = "given",
                expiration: Instant? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.source = source
        self.expiration = expiration
    }

    /// Credentials in the order the AWS CLI looks for them: `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/
    /// `AWS_SESSION_TOKEN`; then the profile `profile` (or `AWS_PROFILE`, else `default`): its keys in
    /// `AWS_SHARED_CREDENTIALS_FILE` (else `~/.aws/credentials`), its `credential_process` (in either file), its keys
    /// in `AWS_CONFIG_FILE` (else `~/.aws/config`).
    public static func resolve(profile: String? = nil,
                               environment: [String: String] = ProcessInfo.processInfo.environment) throws -> AWSCredentials {
        if profile == nil, let key = environment["AWS_ACCESS_KEY_ID"], !key.isEmpty,
           let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty {
            let token = environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
            return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: token, source: "environment")
        }
        let name = profile ?? environment["AWS_PROFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        let home = environment["HOME"] ?? NSHomeDirectory()
        let credentialsFile = environment["AWS_SHARED_CREDENTIALS_FILE"] ?? "\(home)/.aws/credentials"
        let configFile = environment["AWS_CONFIG_FILE"] ?? "\(home)/.aws/config"
        func values(_ file: String, _ section: String) -> [String: String] {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return [:] }
            return INIFile.section(section, in: text)
        }
        func keys(_ v: [String: String], _ file: String) -> AWSCredentials? {
            guard let key = v["aws_access_key_id"], let secret = v["aws_secret_access_key"] else { return nil }
            return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: v["aws_session_token"],
                                  source: "profile \(name) (\(file))")
        }
        let inCredentials = values(credentialsFile, name)
        let inConfig = values(configFile, name == "default" ? name : "profile \(name)")
        if let found = keys(inCredentials, credentialsFile) { return found }
        if let command = inCredentials["credential_process"] ?? inConfig["credential_process"], !command.isEmpty {
            return try CredentialProcess.run(command, profile: name, environment: environment)
        }
        if let found = keys(inConfig, configFile) { return found }
        let merged = inConfig.merging(inCredentials) { a, _ in a }
        let indirect = [("sso_session", "SSO"), ("sso_start_url", "SSO"), ("role_arn", "role_arn"),
                        ("web_identity_token_file", "web identity")]
        if let how = indirect.first(where: { merged[$0.0] != nil })?.1 {
            throw DynamoError.credentials(
                "profile '\(name)' gets its credentials through \(how), which idemtop does not resolve itself: use a profile "
                    + "with credential_process = aws configure export-credentials --profile \(name) --format process")
        }
        throw DynamoError.credentials(
            "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile '\(name)' in \(credentialsFile)")
    }

    /// The region from `AWS_REGION`, `AWS_DEFAULT_REGION`, or the profile's `region` in `~/.aws/config`.
    public static func region(profile: String? = nil,
                              environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        for name in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
            if let r = environment[name], !r.isEmpty { return r }
        }
        let name = profile ?? environment["AWS_PROFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        let home = environment["HOME"] ?? NSHomeDirectory()
        let configFile = environment["AWS_CONFIG_FILE"] ?? "\(home)/.aws/config"
        guard let text = try? String(contentsOfFile: configFile, encoding: .utf8) else { return nil }
        return INIFile.section(name == "default" ? name : "profile \(name)", in: text)["region"]
    }
}
