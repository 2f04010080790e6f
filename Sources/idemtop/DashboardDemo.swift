import Foundation
import IdemCore
import IdemSimulator
import IdemStore

/// `idemtop demo`: a simulated payments API writes a store (some history first, then live traffic) while the
/// dashboard follows it through the store's real reader. The store is kept; the caller says where it is.
public func runDemoDashboard(store location: StoreLocation, preloadEvents: Int, rate: Double, seed: UInt64 = 1,
                             options: DashboardOptions) throws -> Int32 {
    let wall = options.clock
    let policy = options.policy
    if preloadEvents > 0 {
        // History on a virtual clock that ends now, so some tokens are live, some expired, some stuck.
        let span = Simulator.Config.defaultSpan(policy: policy)
        let clock = ManualClock(wall.now() - span)
        let writer = try Stores.writer(location, policy: policy, clock: clock, create: true)
        let sim = Simulator(config: .init(seed: seed, events: preloadEvents, duration: span, start: clock.now(),
                                          policy: policy), writer: writer, clock: clock)
        _ = try sim.run()
    } else {
        _ = try Stores.writer(location, policy: policy, clock: wall, create: true)
    }
    let stop = DemoStop()
    let finished = DispatchSemaphore(value: 0)
    if rate > 0 {
        let thread = Thread {
            defer { finished.signal() }
            do {
                let writer = try Stores.writer(location, policy: policy, clock: wall, create: true)
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
    let reader = try Stores.reader(location, mode: .readOnly)
    defer {
        stop.set()
        _ = finished.wait(timeout: .now() + 2)
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
