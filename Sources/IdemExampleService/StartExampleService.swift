import Foundation
import IdemCore
import IdemStore

/// A running in-process example service: its base URL, and how to stop it.
public struct RunningExampleService: Sendable {
    public var url: URL
    public var stop: @Sendable () -> Void
}

/// Starts the example service in this process on `127.0.0.1:port` (0: any free port), recording into `store`.
///
/// Returns once the socket listens. `stop` closes the server and waits for it. The store is made when missing.
public func startExampleService(store: StoreLocation, port: UInt16 = 0, policy: Policy = .standard,
                                options: PaymentsAPI.Options = PaymentsAPI.Options(),
                                log: @escaping @Sendable (String) -> Void = { _ in }) throws -> RunningExampleService {
    let writer = try StoreRegistry.files.writer(store, policy: policy, clock: SystemClock(), create: true)
    let server = try ExampleServer(api: PaymentsAPI(writer: writer, options: options, log: log), port: port)
    let task = Task { try await server.run() }
    let listening = Locked<Result<URL, any Error>?>(nil)
    // Semaphores, not the lock: the thread waits for one signal from a task, which a Mutex cannot express.
    let ready = DispatchSemaphore(value: 0)
    Task {
        let result: Result<URL, any Error>
        do { result = .success(try await server.waitUntilListening()) } catch { result = .failure(error) }
        listening.withLock { $0 = result }
        ready.signal()
    }
    ready.wait()
    guard let result = listening.value else { throw CancellationError() }
    let url = try result.get()
    return RunningExampleService(url: url, stop: {
        let done = DispatchSemaphore(value: 0)
        Task {
            await server.stop()
            task.cancel()
            done.signal()
        }
        done.wait()
    })
}
