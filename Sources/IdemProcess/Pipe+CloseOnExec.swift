import Foundation

extension Pipe {
    /// Marks both ends close-on-exec in this process: a long-lived child that another thread starts meanwhile (a
    /// test's tmux server, an example service) must not inherit them, or a read waits for that child to end too,
    /// and a file copied through such a descriptor cannot be run (ETXTBSY). The child this pipe is for still gets
    /// its end: `Process` duplicates it onto the child's standard stream, which clears the flag there.
    @discardableResult
    public func closeOnExec() -> Pipe {
        for fd in [fileHandleForReading.fileDescriptor, fileHandleForWriting.fileDescriptor] {
            _ = fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC)
        }
        return self
    }
}
