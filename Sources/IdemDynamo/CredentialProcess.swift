import Foundation
import IdemCore
import IdemProcess

/// `credential_process` in an AWS profile: a command that prints credentials as JSON on stdout, the way the AWS CLI
/// and the SDKs run it. It is how SSO, assume-role chains and vaults reach tools that only sign requests:
/// `credential_process = aws configure export-credentials --profile sso-admin --format process`.
///
/// The output, from the AWS documentation ("Sourcing credentials with an external process"):
/// `{"Version": 1, "AccessKeyId": "...", "SecretAccessKey": "...", "SessionToken": "...", "Expiration": "RFC 3339"}`;
/// `SessionToken` and `Expiration` are optional, and credentials without `Expiration` never expire.
public enum CredentialProcess {
    /// How long the command may run before it is stopped and the lookup fails.
    public static let timeout: TimeInterval = 60

    /// Runs `command` (split into words like a POSIX shell would, but not run by one: no variables, no pipes), with
    /// stdin closed and `environment`, and parses what it prints.
    public static func run(_ command: String, profile: String,
                           environment: [String: String]) throws -> AWSCredentials {
        let what = "credential_process of profile '\(profile)'"
        guard let words = split(command), !words.isEmpty else {
            throw DynamoError.credentials("\(what) is not a command: \(command)")
        }
        let outcome: ChildProcess.Outcome
        do {
            // env finds the program on PATH (the AWS CLI does the same) without a shell in between.
            outcome = try ChildProcess.run("/usr/bin/env", words, environment: environment, timeout: timeout)
        } catch ChildProcess.Failure.timedOut {
            throw DynamoError.credentials("\(what) did not finish within \(Int(timeout)) s: \(command)")
        } catch {
            throw DynamoError.credentials("\(what) could not start \(words[0]): \(error)")
        }
        let stderr = outcome.stderrText
        guard outcome.code == 0 else {
            let why = stderr.split(whereSeparator: \.isNewline).first.map { ": " + Sanitizer.visible(String($0)) } ?? ""
            // env itself exits 127 when the program is not on PATH.
            let code = outcome.code == 127 && stderr.contains("No such file") ? " (not found)" : ""
            throw DynamoError.credentials("\(what) failed with exit code \(outcome.code)\(code)\(why)")
        }
        return try parse(outcome.stdout, what: what)
    }

    /// The credentials in the command's output.
    static func parse(_ data: Data, what: String) throws -> AWSCredentials {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw DynamoError.credentials("\(what) printed no JSON object")
        }
        guard (object["Version"] as? NSNumber)?.intValue == 1 else {
            throw DynamoError.credentials("\(what) printed Version \(object["Version"].map { "\($0)" } ?? "(none)"), not 1")
        }
        guard let key = object["AccessKeyId"] as? String, !key.isEmpty,
              let secret = object["SecretAccessKey"] as? String, !secret.isEmpty
        else { throw DynamoError.credentials("\(what) printed no AccessKeyId and SecretAccessKey") }
        var expiration: Instant?
        if let text = object["Expiration"] as? String {
            guard let at = Instant(rfc3339: text) else {
                throw DynamoError.credentials("\(what) printed an Expiration that is not RFC 3339: \(Sanitizer.visible(text))")
            }
            expiration = at
        }
        let token = (object["SessionToken"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: token,
                              source: what, expiration: expiration)
    }

    /// Splits a command line into words as a POSIX shell does (Python's `shlex.split`, which the AWS CLI uses):
    /// blanks separate words; single quotes keep everything; double quotes keep everything but `\"`, `\\`, `\$`
    /// and `` \` ``; a backslash outside quotes keeps the next character. Nil for an unterminated quote.
    public static func split(_ line: String) -> [String]? {
        var words: [String] = []
        var current = ""
        var inWord = false
        var chars = line.makeIterator()
        while let c = chars.next() {
            switch c {
            case " ", "\t", "\n":
                if inWord { words.append(current); current = ""; inWord = false }
            case "'":
                inWord = true
                while true {
                    guard let q = chars.next() else { return nil }
                    if q == "'" { break }
                    current.append(q)
                }
            case "\"":
                inWord = true
                while true {
                    guard let q = chars.next() else { return nil }
                    if q == "\"" { break }
                    if q == "\\" {
                        guard let next = chars.next() else { return nil }
                        if !"\"\\$`".contains(next) { current.append("\\") }
                        current.append(next)
                    } else {
                        current.append(q)
                    }
                }
            case "\\":
                inWord = true
                if let next = chars.next() { current.append(next) }
            default:
                inWord = true
                current.append(c)
            }
        }
        if inWord { words.append(current) }
        return words
    }
}

/// The credentials a client signs with, refreshed before they expire: credentials from `credential_process` carry
/// an `Expiration`, and a dashboard left open for hours outlives them. Thread-safe; one refresh at a time.
public final class CredentialsProvider: Sendable {
    /// Credentials are renewed this long before they expire (botocore refreshes within 15 min, and must within 10).
    public static let refreshAhead = TimeSpan.minutes(10)

    /// Short-lived credentials are not renewed more often than this (unless expired): a process that hands out
    /// 5-minute keys would otherwise run before every request.
    public static let minimumRenewalInterval = TimeSpan.minutes(1)

    /// The credentials in use, and when they were last renewed; the lock is held through a renewal.
    private let state: Locked<(cached: AWSCredentials, renewedAt: Instant?)>
    private let renew: (@Sendable () throws -> AWSCredentials)?

    /// Fixed credentials (or ones renewed with `renew` when they carry an expiration).
    public init(_ credentials: AWSCredentials, renew: (@Sendable () throws -> AWSCredentials)? = nil) {
        state = Locked((credentials, nil))
        self.renew = renew
    }

    /// The chain of `AWSCredentials.resolve`, run again whenever what it found is about to expire.
    public convenience init(profile: String?, environment: [String: String]) throws {
        let first = try AWSCredentials.resolve(profile: profile, environment: environment)
        self.init(first) { try AWSCredentials.resolve(profile: profile, environment: environment) }
    }

    /// The credentials to sign a request made at `now`.
    public func credentials(at now: Instant) throws -> AWSCredentials {
        try state.withLock { s throws(any Error) in
            if let expiration = s.cached.expiration, let renew, now >= expiration - CredentialsProvider.refreshAhead,
               now >= expiration || s.renewedAt.map({ now - $0 >= CredentialsProvider.minimumRenewalInterval }) ?? true {
                s.cached = try renew()
                s.renewedAt = now
            }
            return s.cached
        }
    }
}
