import Foundation
import IdemCore
import IdemSimulator
import IdemStore

/// `idemtop demo`: a simulated payments API writes a journal (some history first, then live traffic) while the
/// dashboard follows it through the real `JournalReader`.
public func runDemoDashboard(path: String?, preloadEvents: Int, rate: Double, seed: UInt64 = 1,
                             options: DashboardOptions) throws -> Int32 {
    let journal = path ?? NSTemporaryDirectory() + "idemtop-demo-\(getpid()).jsonl"
    if path == nil { try? FileManager.default.removeItem(atPath: journal) }
    let wall = options.clock
    let policy = options.policy
    if preloadEvents > 0 {
        // History on a virtual clock that ends now, so some tokens are live, some expired, some stuck.
        let span = Simulator.Config.defaultSpan(policy: policy)
        let clock = ManualClock(wall.now() - span)
        let writer = try JournalWriter(path: journal, policy: policy, clock: clock, create: true)
        let sim = Simulator(config: .init(seed: seed, events: preloadEvents, duration: span, start: clock.now(),
                                          policy: policy), writer: writer, clock: clock)
        _ = try sim.run()
    } else {
        _ = try JournalWriter(path: journal, policy: policy, clock: wall, create: true)
    }
    let stop = DemoStop()
    let finished = DispatchSemaphore(value: 0)
    if rate > 0 {
        let thread = Thread {
            defer { finished.signal() }
            do {
                let writer = try JournalWriter(path: journal, policy: policy, clock: wall, create: true)
                let sim = Simulator(config: .init(seed: seed &+ 1, rate: rate, start: wall.now(), policy: policy),
                                    writer: writer, wallClock: wall)
                _ = try sim.run(shouldStop: { stop.isSet })
            } catch {
                stop.failure = "\(error)"
            }
        }
        thread.start()
    } else {
        finished.signal()
    }
    let reader = try JournalReader(path: journal)
    defer {
        stop.set()
        _ = finished.wait(timeout: .now() + 2)
        if path == nil { try? FileManager.default.removeItem(atPath: journal) }
    }
    return try runDashboard(reader: reader, options: options)
}

/// A stop flag shared with the simulator thread.
final class DemoStop: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    private var why: String?
    var isSet: Bool { lock.withLock { stopped } }
    func set() { lock.withLock { stopped = true } }
    var failure: String? {
        get { lock.withLock { why } }
        set { lock.withLock { why = newValue } }
    }
}
