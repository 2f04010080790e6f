import Dispatch
import Foundation

/// Turns SIGINT, SIGTERM and SIGHUP into a flag a loop checks (the dashboard's, `tail`'s, a live `simulate`'s), so
/// it can finish cleanly: restore the terminal, or end a line it is writing.
///
/// The signals are ignored at the process level first, which also keeps ncurses from installing its own handlers.
final class SignalWatcher: @unchecked Sendable {
    private let lock = NSLock()
    private var caught: Int32 = 0
    private var sources: [DispatchSourceSignal] = []
    private static let watched = [SIGINT, SIGTERM, SIGHUP]

    init() {
        for sig in SignalWatcher.watched {
            Foundation.signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [weak self] in self?.note(sig) }
            source.resume()
            sources.append(source)
        }
    }

    private func note(_ sig: Int32) { lock.withLock { if caught == 0 { caught = sig } } }

    /// The first signal caught, or 0.
    var received: Int32 { lock.withLock { caught } }

    /// Stops watching and puts the default actions back.
    func stop() {
        for s in sources { s.cancel() }
        sources = []
        for sig in SignalWatcher.watched { Foundation.signal(sig, SIG_DFL) }
    }
}
