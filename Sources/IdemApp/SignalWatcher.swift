import Dispatch
import Foundation
import IdemCore

/// Turns SIGINT, SIGTERM and SIGHUP into a flag a loop checks (the dashboard's, `tail`'s, a live `simulate`'s), so
/// it can finish cleanly: restore the terminal, or end a line it is writing.
///
/// The signals are ignored at the process level first, which also keeps ncurses from installing its own handlers.
/// `onSignal` runs when one arrives (on a dispatch queue), e.g. to wake a loop waiting for input.
public final class SignalWatcher: Sendable {
    private let caught: Locked<Int32>
    /// Set once in `init`; dispatch sources may be cancelled from any thread, which is all `stop` does with them.
    nonisolated(unsafe) private let sources: [DispatchSourceSignal]
    private static let watched = [SIGINT, SIGTERM, SIGHUP]

    public init(onSignal: @escaping @Sendable () -> Void = {}) {
        let caught = Locked<Int32>(0)
        self.caught = caught
        var made: [DispatchSourceSignal] = []
        for sig in SignalWatcher.watched {
            Foundation.signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [caught] in
                caught.withLock { if $0 == 0 { $0 = sig } }
                onSignal()
            }
            source.resume()
            made.append(source)
        }
        sources = made
    }

    /// The first signal caught, or 0.
    public var received: Int32 { caught.withLock { $0 } }

    /// Stops watching and puts the default actions back.
    public func stop() {
        for s in sources { s.cancel() }
        for sig in SignalWatcher.watched { Foundation.signal(sig, SIG_DFL) }
    }
}
