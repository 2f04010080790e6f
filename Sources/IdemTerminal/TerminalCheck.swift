/// Decides, before ncurses is touched, whether this process can draw a dashboard at all.
public enum TerminalCheck {
    static let headless = "use the headless commands instead: `idemtop list STORE`, `idemtop tail STORE`"

    /// Why the dashboard cannot run here (one line, naming the headless commands), or nil when it can.
    public static func problem(stdinIsTTY: Bool, stdoutIsTTY: Bool, term: String?) -> String? {
        if !stdoutIsTTY { return "idemtop: standard output is not a terminal; \(headless)" }
        if !stdinIsTTY { return "idemtop: standard input is not a terminal; \(headless)" }
        guard let term, !term.isEmpty else { return "idemtop: TERM is not set; \(headless)" }
        if term == "dumb" || term == "unknown" {
            return "idemtop: TERM=\(term) cannot draw a dashboard; \(headless)"
        }
        return nil
    }

    /// The message when ncurses does not know the terminal type.
    public static func unknownTerminal(_ term: String) -> String {
        "idemtop: unknown terminal type TERM=\(term); \(headless)"
    }
}
