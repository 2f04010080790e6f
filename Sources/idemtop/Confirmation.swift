import IdemApp
import Foundation

/// Asks the operator on the terminal before an action; refuses when there is no terminal to ask on.
enum Confirmation {
    /// Whether standard input is a terminal an operator can answer on.
    static var canAsk: Bool { isatty(0) == 1 }

    /// The refusal when there is no terminal to ask on and no `--yes`: one line, exit 2.
    static func noTerminal(action: String) -> CLIFailure {
        CLIFailure.usage("refusing to \(action) without confirmation: stdin is not a terminal; pass --yes")
    }

    /// Asks `question` on stderr and reads one line; true when it equals `expected` (after trimming).
    ///
    /// Without a terminal throws a usage failure (exit 2) naming `--yes`; a wrong answer throws "cancelled" (exit 1).
    static func require(_ question: String, typing expected: String, action: String) throws {
        guard canAsk else { throw noTerminal(action: action) }
        printError(question, terminator: " ")
        let answer = readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces) ?? ""
        guard answer.lowercased() == expected.lowercased() || (expected == "y" && answer.lowercased() == "yes") else {
            throw CLIFailure(message: "cancelled: nothing was done")
        }
    }
}
