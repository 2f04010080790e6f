import IdemApp
import Foundation

/// A failure the CLI reports as one line on stderr with a chosen exit code.
struct CLIFailure: Error {
    var message: String
    var code: Int32 = 1

    static func usage(_ message: String) -> CLIFailure { CLIFailure(message: message, code: 2) }
}
