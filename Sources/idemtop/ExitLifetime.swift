/// Leaves `value` (a loaded store: a ledger of a million records holds a million token strings and a few hundred
/// MB) for the process's exit to reclaim instead of freeing it piece by piece when the command returns: freeing
/// the 1M-token ledger after `stats` printed took the last 40-50 ms of its run (every record's strings released,
/// glibc's free lists consolidated, the arrays unmapped), on one core with the other idle. The kernel drops the
/// whole address space at exit in a few milliseconds. Only for one-shot commands that exit right after (`main.swift`
/// calls `exit` once `run` returns); the dashboard and the tests never call it.
func keepUntilExit<T>(_ value: T) {
    _ = Unmanaged.passRetained(KeptUntilExit(value))
}

private final class KeptUntilExit<T> {
    let value: T
    init(_ value: T) { self.value = value }
}
