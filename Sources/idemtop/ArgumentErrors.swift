import ArgumentParser

/// Picks the clearest of the mistakes on a command line, for the one error line the CLI prints.
///
/// ArgumentParser decodes a command before it looks for options it does not know, so `idemtop --bogus` says
/// `Missing expected argument '<STORE>'` when the real mistake is the unknown option. On that error the line is
/// parsed again with a placeholder for each missing positional (at most three): an unknown option found then is
/// the error reported; anything else keeps the first error.
enum ArgumentErrors {
    static func clearest(_ error: Error, arguments: [String]) -> Error {
        guard Idemtop.fullMessage(for: error).contains("Missing expected argument") else { return error }
        var padded = arguments
        for _ in 0..<3 {
            padded.append("placeholder.jsonl")
            do {
                _ = try Idemtop.parseAsRoot(padded)
                return error
            } catch let next {
                let message = Idemtop.fullMessage(for: next)
                if message.contains("Unknown option") { return next }
                if !message.contains("Missing expected argument") { return error }
            }
        }
        return error
    }
}
