import Foundation
import IdemCore
import IdemExampleService
import IdemSimulator
import IdemStore

/// What `idemtop demo` runs beside the dashboard.
public struct DemoPlan: Sendable {
    public var store: StoreLocation
    /// Events of history written on a virtual clock that ends now, before the dashboard opens.
    public var preloadEvents: Int
    /// Client scenarios per second sent over HTTP to the example service; 0 sends none.
    public var rate: Double
    public var seed: UInt64
    /// The example service's port (0: any free port).
    public var port: UInt16

    public init(store: StoreLocation, preloadEvents: Int, rate: Double, seed: UInt64 = 1, port: UInt16 = 0) {
        self.store = store
        self.preloadEvents = preloadEvents
        self.rate = rate
        self.seed = seed
        self.port = port
    }
}

/// `idemtop demo`: history from the simulator, then the example payments service on loopback writing the store while
/// a traffic driver sends it requests over HTTP, and the dashboard on the store with replay aimed at the service.
///
/// Purge and replay act on the demo exactly as on a production store. `dashboard` runs the dashboard on a reader
/// with options (the binary's opens the terminal). Returns its exit status and the service's URL (for the closing
/// message).
public func runDemoDashboard(_ plan: DemoPlan, options: DashboardOptions, registry: StoreRegistry,
                             dashboard: (any EventReader, DashboardOptions) throws -> Int32) throws -> (Int32, URL?) {
    let wall = options.clock
    let policy = options.policy
    if plan.preloadEvents > 0 {
        // History on a virtual clock that ends now, so some tokens are live, some expired, some stuck.
        let span = Simulator.Config.defaultSpan(policy: policy)
        let clock = ManualClock(wall.now() - span)
        let writer = try registry.writer(plan.store, policy: policy, clock: clock, create: true)
        let sim = Simulator(config: .init(seed: plan.seed, events: plan.preloadEvents, duration: span,
                                          start: clock.now(), policy: policy), writer: writer, clock: clock)
        _ = try sim.run()
    } else {
        _ = try registry.writer(plan.store, policy: policy, clock: wall, create: true)
    }

    let service = try startExampleService(store: plan.store, port: plan.port, policy: policy,
                                          options: PaymentsAPI.Options(workMs: 150, defaultTenant: "acme"))
    let stop = Locked(false)
    let finished = DispatchSemaphore(value: 0)
    if plan.rate > 0 {
        let driver = HTTPTrafficDriver(config: .init(
            baseURL: service.url, seed: plan.seed &+ 1, rate: plan.rate, workers: 3,
            tenants: ["acme", "globex", "umbrella", "hooli", "zürich-bank-銀行"]))
        let thread = Thread {
            _ = driver.run(duration: .infinity, shouldStop: { stop.value })
            finished.signal()
        }
        thread.start()
    } else {
        finished.signal()
    }
    defer {
        stop.withLock { $0 = true }
        _ = finished.wait(timeout: .now() + 3)
        service.stop()
    }
    var options = options
    options.replayTarget = options.replayTarget ?? service.url.absoluteString
    let reader = try registry.reader(plan.store, mode: .readOnly)
    return (try dashboard(reader, options), service.url)
}
