import Foundation

/// An access key pair (and session token) to sign requests with, found the way the AWS CLI finds it.
public struct AWSCredentials: Sendable, Hashable {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?
    /// Where they came from, for messages: `environment`, `profile default (~/.aws/credentials)`.
    public var source: String

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, source: String = "given") {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.source = source
    }

    /// Credentials from `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN`, else from the profile
    /// `profile` (or `AWS_PROFILE`, else `default`) of `AWS_SHARED_CREDENTIALS_FILE` (else `~/.aws/credentials`),
    /// else of `AWS_CONFIG_FILE` (else `~/.aws/config`).
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
        for (file, section) in [(credentialsFile, name), (configFile, name == "default" ? name : "profile \(name)")] {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
            let values = INIFile.section(section, in: text)
            if let key = values["aws_access_key_id"], let secret = values["aws_secret_access_key"] {
                return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: values["aws_session_token"],
                                      source: "profile \(name) (\(file))")
            }
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
