import Foundation

/// Runs `count` blocking jobs, each on its own thread (they wait on the network, not the CPU), and returns their
/// results in order.
enum ParallelPages {
    static func run<T>(count: Int, _ job: @escaping @Sendable (Int) -> T) -> [T] {
        let slots = ResultSlots<T>(count)
        if count == 1 { return [job(0)] }
        let group = DispatchGroup()
        for i in 0..<count {
            group.enter()
            let thread = Thread {
                let value = job(i)
                slots.lock.withLock { slots.values[i] = value }
                group.leave()
            }
            thread.start()
        }
        group.wait()
        return slots.values.compactMap { $0 }
    }
}

/// Results written by several threads under a lock.
final class ResultSlots<T>: @unchecked Sendable {
    var values: [T?]
    let lock = NSLock()
    init(_ n: Int) { values = Array(repeating: nil, count: n) }
}
