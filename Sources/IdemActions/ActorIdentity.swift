import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Who takes an action, as admin events record it: `user@host`.
public enum ActorIdentity {
    /// `$USER` (or the password entry of the real user id) at `gethostname()`.
    public static func current(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        "\(user(environment: environment))@\(host())"
    }

    static func user(environment: [String: String]) -> String {
        if let user = environment["USER"], !user.isEmpty { return user }
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name {
            let text = String(cString: name)
            if !text.isEmpty { return text }
        }
        return "uid\(getuid())"
    }

    static func host() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name
    }
}
